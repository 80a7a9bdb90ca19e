import { parse } from "yaml";
import { describe, expect, it } from "vitest";

import {
  renderTemporalServerConfig,
  renderTemporalUiConfig,
  temporalPortNames,
  type TemporalPorts,
} from "../../../src/temporal/server-config.ts";

const ports = Object.fromEntries([
  ["frontend", 7233],
  ...temporalPortNames.map((n, i) => [n, 40000 + i]),
]) as unknown as TemporalPorts;

describe("the local Temporal server's config", () => {
  const config = parse(
    renderTemporalServerConfig({
      ports,
      databaseFile: "/state/temporal/temporal.db",
      dynamicConfigFile: "/state/temporal/config/dynamic.yaml",
    }),
  );

  it("persists to one SQLite file (and its visibility beside it), creating the schema when new", () => {
    const stores = config.persistence.datastores;
    expect(stores["sqlite-default"].sql).toMatchObject({
      pluginName: "sqlite",
      databaseName: "/state/temporal/temporal.db",
      connectAttributes: { setup: true },
    });
    expect(stores["sqlite-visibility"].sql.databaseName).toBe(
      "/state/temporal/temporal.db.visibility",
    );
    expect(stores["sqlite-default"].sql.connectAttributes).not.toHaveProperty("mode");
  });

  it("binds every service to loopback on its own port, the frontend on the one clients dial", () => {
    const services = config.services;
    expect(services.frontend.rpc).toMatchObject({ grpcPort: 7233, bindOnLocalHost: true });
    const all = Object.values(services).flatMap((s) => {
      const rpc = (s as { rpc: Record<string, number> }).rpc;
      return [rpc.grpcPort, rpc.membershipPort, rpc.httpPort].filter(Boolean);
    });
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(1 + temporalPortNames.length);
    expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe("127.0.0.1:7233");
    expect(config.dynamicConfigClient.filepath).toBe("/state/temporal/config/dynamic.yaml");
  });
});

describe("the local Temporal UI's config", () => {
  it("shows the local server, on loopback only, and asks the internet for nothing", () => {
    expect(parse(renderTemporalUiConfig({ address: "127.0.0.1:7233", port: 8233 }))).toMatchObject({
      temporalGrpcAddress: "127.0.0.1:7233",
      host: "127.0.0.1",
      port: 8233,
      enableUi: true,
      disableNewsFetch: true,
      notifyOnNewVersion: false,
    });
  });
});
