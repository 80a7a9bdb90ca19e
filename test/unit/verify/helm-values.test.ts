import { describe, expect, it } from "vitest";

import {
  parseSetInto,
  replacePathLiteralValue,
  replacePathValue,
} from "../../../src/dr/verify/flux/helm-strvals.ts";
import {
  mergeHelmValues,
  mergeMaps,
  ValuesError,
  type ValuesReference,
  type ValuesSource,
} from "../../../src/dr/verify/flux/helm-values.ts";

type Objects = Record<string, Record<string, string> | undefined>;

/** Looks `Kind/name` up in `objects`; a missing entry is not found. */
function lookup(objects: Objects) {
  return (kind: string, name: string): ValuesSource => {
    const data = objects[`${kind}/${name}`];
    return data ? { found: true, data } : { found: false };
  };
}

const merge = (objects: Objects, refs: ValuesReference[], values?: Record<string, unknown>) =>
  mergeHelmValues(values, refs, "apps", lookup(objects));

const failure = (objects: Objects, refs: ValuesReference[]) => {
  try {
    merge(objects, refs);
  } catch (err) {
    return err as ValuesError;
  }
  throw new Error("expected a ValuesError");
};

describe("mergeHelmValues (chartutil ChartValuesFromReferences)", () => {
  it("merges valuesFrom in order, then spec.values over them", () => {
    const values = merge(
      {
        "ConfigMap/values": { "values.yaml": "flat: value\nnested:\n  configuration: value\n" },
        "Secret/values": { "values.yaml": "flat:\n  nested: value\nnested: value\n" },
      },
      [
        { kind: "ConfigMap", name: "values" },
        { kind: "Secret", name: "values" },
      ],
      { other: "values" },
    );
    expect(values).toEqual({ flat: { nested: "value" }, nested: "value", other: "values" });
  });

  it("lets spec.values win over every valuesFrom entry, key by key", () => {
    const values = merge(
      { "ConfigMap/base": { "values.yaml": "replicas: 1\nimage:\n  tag: v1\n  repo: nginx\n" } },
      [{ kind: "ConfigMap", name: "base" }],
      { image: { tag: "v2" } },
    );
    expect(values).toEqual({ replicas: 1, image: { tag: "v2", repo: "nginx" } });
  });

  it("reads valuesKey instead of values.yaml", () => {
    expect(
      merge({ "ConfigMap/v": { "prod.yaml": "a: 1", "values.yaml": "a: 2" } }, [
        { kind: "ConfigMap", name: "v", valuesKey: "prod.yaml" },
      ]),
    ).toEqual({ a: 1 });
  });

  it("sets a single value at targetPath", () => {
    expect(
      merge({ "Secret/values": { single: "value" } }, [
        {
          kind: "Secret",
          name: "values",
          valuesKey: "single",
          targetPath: "merge.at.specific.path",
        },
      ]),
    ).toEqual({ merge: { at: { specific: { path: "value" } } } });
  });

  it("gives a targetPath below spec.values' maps precedence over all, as helm-controller's shared maps do", () => {
    const values = merge(
      {
        "ConfigMap/values": {
          "values.yaml": "flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n",
        },
        "Secret/values": { key: "value" },
      },
      [
        { kind: "Secret", name: "values", valuesKey: "key", targetPath: "nested.configuration[0]" },
        { kind: "ConfigMap", name: "values" },
      ],
      { nested: { configuration: ["list", "item", "option"] } },
    );
    expect(values).toEqual({
      flat: "value",
      nested: { configuration: ["value", "item", "option"] },
    });
  });

  it("sets a list item at targetPath", () => {
    const values = merge(
      {
        "ConfigMap/values": {
          "values.yaml": "flat: value\nnested:\n  configuration:\n  - list\n  - item\n  - option\n",
        },
        "Secret/values": { "values.yaml": "foo" },
      },
      [
        { kind: "ConfigMap", name: "values" },
        { kind: "Secret", name: "values", targetPath: "nested.configuration[1]" },
      ],
      { other: "values" },
    );
    expect(values).toEqual({
      flat: "value",
      nested: { configuration: ["list", "foo", "option"] },
      other: "values",
    });
  });

  it("does not change the spec.values it is given", () => {
    const inline = { nested: { configuration: ["list"] } };
    merge(
      { "Secret/s": { key: "value" } },
      [{ kind: "Secret", name: "s", valuesKey: "key", targetPath: "nested.configuration[0]" }],
      inline,
    );
    expect(inline).toEqual({ nested: { configuration: ["list"] } });
  });

  it("skips optional entries whose object or key is missing", () => {
    expect(
      merge({ "ConfigMap/present": {} }, [
        { kind: "Secret", name: "missing", optional: true },
        { kind: "ConfigMap", name: "missing", optional: true },
        { kind: "ConfigMap", name: "present", valuesKey: "absent", optional: true },
      ]),
    ).toEqual({});
  });

  it("keeps literal values verbatim at targetPath and ignores literal without one", () => {
    expect(
      merge({ "Secret/kafka": { brokers: "kafka01.net:9092,kafka02.net:9092" } }, [
        {
          kind: "Secret",
          name: "kafka",
          valuesKey: "brokers",
          targetPath: "kafka.brokers",
          literal: true,
        },
      ]),
    ).toEqual({ kafka: { brokers: "kafka01.net:9092,kafka02.net:9092" } });
    expect(
      merge({ "ConfigMap/values": { "values.yaml": "flat: value\n" } }, [
        { kind: "ConfigMap", name: "values", literal: true },
      ]),
    ).toEqual({ flat: "value" });
  });

  it.each([
    [
      "a missing ConfigMap",
      {},
      [{ kind: "ConfigMap", name: "missing" }],
      "not-found",
      "could not resolve ConfigMap chart values reference 'apps/missing' with key 'values.yaml': resource not found",
    ],
    [
      "a missing Secret",
      {},
      [{ kind: "Secret", name: "missing" }],
      "not-found",
      "could not resolve Secret chart values reference 'apps/missing' with key 'values.yaml': resource not found",
    ],
    [
      "a missing key",
      { "ConfigMap/values": {} },
      [{ kind: "ConfigMap", name: "values", valuesKey: "nonexisting" }],
      "key-not-found",
      "could not resolve ConfigMap chart values reference 'apps/values' with key 'nonexisting': key not found",
    ],
    [
      "an unsupported kind",
      {},
      [{ kind: "Unsupported", name: "x" }],
      "unsupported-kind",
      "could not resolve Unsupported chart values reference 'apps/x' with key 'values.yaml': unsupported values reference kind",
    ],
    [
      "values that are not a map",
      { "ConfigMap/values": { "values.yaml": "\ninvalid" } },
      [{ kind: "ConfigMap", name: "values" }],
      "read",
      "could not resolve ConfigMap chart values reference 'apps/values' with key 'values.yaml': failed to read values data: not a map of values",
    ],
    [
      "a comma in a value set at targetPath (strvals reads it as syntax)",
      { "Secret/kafka": { brokers: "kafka01.net:9092,kafka02.net:9092" } },
      [{ kind: "Secret", name: "kafka", valuesKey: "brokers", targetPath: "kafka.brokers" }],
      "merge",
      `could not resolve Secret chart values reference 'apps/kafka' with key 'brokers': failed to merge value: key "net:9092" has no value`,
    ],
  ] as const)("fails for %s", (_what, objects, refs, reason, message) => {
    const err = failure(objects as Objects, [...refs] as ValuesReference[]);
    expect(err).toBeInstanceOf(ValuesError);
    expect(err.reason).toBe(reason);
    expect(err.message).toBe(message);
  });

  it("fails an optional entry whose Secret could not be decrypted, naming why", () => {
    const err = (() => {
      try {
        mergeHelmValues(undefined, [{ kind: "Secret", name: "s", optional: true }], "apps", () => ({
          found: false,
          reason: "Secret apps/s is SOPS-encrypted in Git and no decryption key was given",
        }));
      } catch (e) {
        return e as ValuesError;
      }
      return undefined;
    })();
    expect(err?.reason).toBe("unavailable");
    expect(err?.message).toMatch(
      /could not resolve optional Secret .*no decryption key was given$/,
    );
  });
});

describe("mergeMaps", () => {
  it("merges maps key by key and replaces anything else", () => {
    expect(
      mergeMaps({ a: { b: 1, c: 2 }, l: [1], s: "x" }, { a: { c: 3 }, l: [2], s: { m: 1 } }),
    ).toEqual({ a: { b: 1, c: 3 }, l: [2], s: { m: 1 } });
  });
});

describe("Helm's --set parser (strvals)", () => {
  const set = (line: string, dest: Record<string, unknown> = {}) => {
    parseSetInto(line, dest);
    return dest;
  };

  it.each([
    ["name=value", { name: "value" }],
    ["a.b=c,a.d=e", { a: { b: "c", d: "e" } }],
    [
      "n=1,z=0,o=0123,neg=-5,t=true,f=FALSE,x=null",
      { n: 1, z: 0, o: "0123", neg: -5, t: true, f: false, x: null },
    ],
    ["list={a,b,c}", { list: ["a", "b", "c"] }],
    ["list[0]=foo,list[3]=bar", { list: ["foo", null, null, "bar"] }],
    ["list[0].foo=bar,list[0].hello=world", { list: [{ foo: "bar", hello: "world" }] }],
    ["nested[1][1]=1", { nested: [null, [null, 1]] }],
    [
      "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
      { name1: { name2: [{ foo: "bar" }, { foo: "bar" }] } },
    ],
    ["noval[0]", { noval: [] }],
    ["noval[0]=", { noval: [""] }],
    ["empty=", { empty: "" }],
    [`name=value1\\,value2`, { name: "value1,value2" }],
    [
      `nodeSelector.kubernetes\\.io/role=master`,
      { nodeSelector: { "kubernetes.io/role": "master" } },
    ],
  ])("reads %s", (line, want) => {
    expect(set(line)).toEqual(want);
  });

  it.each([
    ["illegal[0]name.foo=bar", 'unexpected data at end of array index: "name"'],
    ["list[0].foo=bar,list[-30].hello=world", "negative -30 index not allowed"],
    ["name", 'key "name" has no value'],
    ["name,", 'key "name" has no value (cannot end with ,)'],
    ["a.b", 'key "b" has no value'],
    ["list={a,b", "list must terminate with '}'"],
  ])("fails for %s", (line, message) => {
    expect(() => set(line)).toThrow(message);
  });

  it("changes maps already in the destination in place", () => {
    const inner = { keep: 1 };
    set("outer.added=2", { outer: inner });
    expect(inner).toEqual({ keep: 1, added: 2 });
  });

  it("reads a quoted value as a string (ReplacePathValue)", () => {
    const dest = {};
    replacePathValue(dest, "merge.at.specific.path", '"true"');
    expect(dest).toEqual({ merge: { at: { specific: { path: "true" } } } });
    const typed = {};
    replacePathValue(typed, "merge.at[2]", "true");
    expect(typed).toEqual({ merge: { at: [null, null, true] } });
  });

  it.each([
    ["a,b,c"],
    ["{a,b,c}"],
    ["foo=bar=baz"],
    ["endpoints: [a, b, c]"],
    ['kafka {\n  bootstrap = "b-1:9098,b-2:9098"\n}\n'],
    ["true"],
  ])("keeps %j verbatim with literal (ReplacePathLiteralValue)", (value) => {
    const dest = {};
    replacePathLiteralValue(dest, `externalConfig.application\\.conf.content`, value);
    expect(dest).toEqual({ externalConfig: { "application.conf": { content: value } } });
  });
});
