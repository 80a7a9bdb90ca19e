/**
 * Pulumi mocks for component tests: records every resource with its inputs, provider, parent
 * and dependencies; ids are `mocked::<type>::<name>`; any invoke nobody mocked throws.
 *
 * Import this module first, call `setupMocks`, then `await import()` the module under test.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- engine data in mocks is untyped */
import * as pulumi from "@pulumi/pulumi";

/** A resource as the engine saw it. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  /** Provider reference (`<urn>::<id>`), when one was passed or inherited. */
  readonly provider: string | undefined;
  /** Name of the parent resource. */
  readonly parent: string | undefined;
  /** Names of the resources it depends on (explicit `dependsOn` and inputs). */
  readonly dependsOn: readonly string[];
}

/** Options of `setupMocks`. */
export interface MockOptions {
  readonly stack?: string;
  /** Invoke results by token; other tokens throw. */
  readonly calls?: Record<string, (inputs: Record<string, any>) => Record<string, unknown>>;
  /** Extra output properties a cloud would compute (ARNs, endpoints), by resource type and name. */
  readonly outputs?: (
    type: string,
    name: string,
    inputs: Record<string, any>,
  ) => Record<string, unknown>;
}

const nameOfUrn = (urn: string) => urn.split("::").pop() ?? urn;

/** Installs the mocks and returns the live list of recorded resources and lookups. */
export function setupMocks(options: MockOptions = {}) {
  const recorded = new Map<string, Omit<RecordedResource, "parent" | "dependsOn">>();
  const links = new Map<string, { parent: string | undefined; dependsOn: string[] }>();
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        recorded.set(args.name, {
          type: args.type,
          name: args.name,
          inputs: args.inputs,
          provider: args.provider,
        });
        const state = { ...args.inputs, ...options.outputs?.(args.type, args.name, args.inputs) };
        return { id: `mocked::${args.type}::${args.name}`, state };
      },
      call: (args) => {
        const result = options.calls?.[args.token];
        if (result === undefined)
          throw new Error(`unexpected invoke ${args.token}: add it to the mocks`);
        return result(args.inputs);
      },
    },
    "drkit",
    options.stack ?? "test",
    false,
  );
  // The mocks API hides parents and dependencies; the mock monitor's requests carry them.
  const monitor = (pulumi.runtime as unknown as { getMonitor(): any }).getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: unknown) => {
    const parent: string = request.getParent();
    links.set(request.getName(), {
      parent: parent ? nameOfUrn(parent) : undefined,
      dependsOn: (request.getDependenciesList() as string[]).map(nameOfUrn),
    });
    return register(request, callback);
  };

  const all = (): RecordedResource[] =>
    [...recorded.values()].map((resource) => ({
      ...resource,
      parent: links.get(resource.name)?.parent,
      dependsOn: links.get(resource.name)?.dependsOn ?? [],
    }));
  return {
    all,
    /** The resource named `name`; throws if there is none. */
    named(name: string): RecordedResource {
      const found = all().find((resource) => resource.name === name);
      if (found === undefined)
        throw new Error(`no resource named ${name}; have ${[...recorded.keys()].join(", ")}`);
      return found;
    },
    ofType(type: string): RecordedResource[] {
      return all().filter((resource) => resource.type === type);
    },
    /** Waits until no new resource has been registered for a while. */
    async settle(): Promise<void> {
      let count = -1;
      let quietTicks = 0;
      while (quietTicks < 5) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        quietTicks = recorded.size === count ? quietTicks + 1 : 0;
        count = recorded.size;
      }
    },
  };
}

/** The value of an output (mocks resolve everything, including secrets). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** The signature Pulumi's wire format puts on secret values. */
const secretSignature = "4dabf18193072939515e22adb298388d";

/** Splits a recorded input into whether the engine received it as a secret, and its value. */
export function unwrapSecret(input: unknown): { secret: boolean; value: unknown } {
  if (input !== null && typeof input === "object" && secretSignature in input) {
    return { secret: true, value: (input as unknown as { value: unknown }).value };
  }
  return { secret: false, value: input };
}
