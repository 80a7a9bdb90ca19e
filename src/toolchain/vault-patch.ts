/**
 * Vault's module builds against its in-tree `sdk` (`replace ... => ./sdk`), which module zips
 * leave out. The proxy's `github.com/hashicorp/vault/sdk` v0.21.0, the version v1.21.4's go.mod
 * requires, differs from that in-tree copy in two signatures: `LockManager.RestorePolicy` returns
 * only an error, and `framework.Backend.ActivationFunc` takes a third (feature name) argument.
 * The recipe builds from a copy of the module with exactly these call sites adapted; nothing else
 * of Vault changes, and a version whose lines moved fails the build naming the file.
 */

/** One textual change to a file of an upstream module: `from` must occur exactly once. */
export interface UpstreamEdit {
  readonly file: string;
  readonly from: string;
  readonly to: string;
}

export const vaultSdkEdits: readonly UpstreamEdit[] = [
  {
    file: "builtin/logical/transit/path_restore.go",
    from: "restoredKeyName, err := b.lm.RestorePolicy(",
    to: "restoredKeyName, err := keyName, b.lm.RestorePolicy(",
  },
  {
    file: "vault/identity_store.go",
    from: "ActivationFunc: iStore.activateDeduplication,",
    to: "ActivationFunc: func(ctx context.Context, req *logical.Request, _ string) error { return iStore.activateDeduplication(ctx, req) },",
  },
  {
    file: "vault/logical_system_activation_flags.go",
    from: "b.idStoreBackend.ActivationFunc(ctx, nil)",
    to: 'b.idStoreBackend.ActivationFunc(ctx, nil, "")',
  },
];

/**
 * Applies one edit to a file's text. Pure.
 *
 * @returns the edited text, or `undefined` when `from` does not occur exactly once.
 */
export function applyUpstreamEdit(text: string, edit: UpstreamEdit): string | undefined {
  if (text.split(edit.from).length !== 2) return undefined;
  return text.replace(edit.from, () => edit.to);
}
