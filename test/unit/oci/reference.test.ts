import { describe, expect, it } from "vitest";

import { parseOciUrl, registrySchemes, renderRegistryError } from "../../../src/oci/index.ts";

describe("parseOciUrl", () => {
  it.each([
    ["oci://127.0.0.1:8471/manifests/dashboards", "127.0.0.1:8471", "manifests/dashboards"],
    ["oci://ghcr.io/stefanprodan/manifests/podinfo", "ghcr.io", "stefanprodan/manifests/podinfo"],
    ["oci://localhost:5000/fleet/", "localhost:5000", "fleet"],
    ["oci://stefanprodan/podinfo", "index.docker.io", "stefanprodan/podinfo"],
    ["oci://docker.io/nginx", "index.docker.io", "library/nginx"],
  ])("splits %s into its registry and repository", (url, host, repository) => {
    expect(parseOciUrl(url)).toEqual({ host, repository });
  });

  it.each([
    [
      "https://ghcr.io/acme/app",
      '"https://ghcr.io/acme/app" is not an oci:// URL (the format is oci://<host>/<repository>)',
    ],
    [
      "oci://ghcr.io/acme/app:v1",
      '"oci://ghcr.io/acme/app:v1" must not contain a tag or digest; remove ":v1" and set spec.ref instead',
    ],
    [
      "oci://ghcr.io/acme/App",
      '"oci://ghcr.io/acme/App" does not name a repository (lowercase letters, digits, "_", "-", "." and "/", 2 to 255 of them)',
    ],
  ])("fails for %s, saying why", (url, message) => {
    expect(() => parseOciUrl(url)).toThrow(message);
  });
});

describe("registrySchemes", () => {
  it.each([
    ["ghcr.io", false, ["https"]],
    ["ghcr.io", true, ["https", "http"]],
    ["127.0.0.1:8471", false, ["https", "http"]],
    ["localhost:5000", false, ["https", "http"]],
    ["registry.localhost", false, ["https", "http"]],
    ["10.1.2.3:5000", false, ["https", "http"]],
    ["172.20.0.1", false, ["https", "http"]],
    ["172.32.0.1", false, ["https"]],
    ["192.168.1.9:5000", false, ["https", "http"]],
  ])(
    "%s (insecure %s) is tried over %j, as go-containerregistry tries it",
    (host, insecure, want) => {
      expect(registrySchemes(host, insecure)).toEqual(want);
    },
  );
});

it("renders a registry's error document as its codes", () => {
  expect(
    renderRegistryError(
      "GET",
      "http://r/v2/x/manifests/latest",
      404,
      JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }),
    ),
  ).toBe("GET http://r/v2/x/manifests/latest answered 404 (MANIFEST_UNKNOWN: manifest unknown)");
});
