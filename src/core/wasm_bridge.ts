// TEMPORARY: filled in by the kernel-bridge work (issue 3, item 2).
export function bridgeMissingWasmKernels(): string[] {
  return [];
}
