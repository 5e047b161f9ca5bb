// Generated, schema-valid Hedgehog documents for benchmarks: n distinct Servers, 1,000 per file (the
// parser's default document limit), as raw/ files of a fabric directory.
export function serverDocument(i: number): string {
  return `apiVersion: wiring.githedgehog.com/v1beta1
kind: Server
metadata:
  name: server-${String(i).padStart(5, "0")}
spec:
  description: bench server ${i}
`;
}

export function rawServerFiles(directory: string, count: number, perFile = 1000): Record<string, string> {
  const files: Record<string, string> = {};
  for (let f = 0; f * perFile < count; f++) {
    const n = Math.min(perFile, count - f * perFile);
    files[`${directory}/raw/servers-${f}.yaml`] = Array.from({ length: n }, (_, i) => serverDocument(f * perFile + i)).join("---\n");
  }
  return files;
}
