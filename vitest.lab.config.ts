// The kernel lab's end-to-end tests: real kernels in qemu VMs (scripts/lab/lab), one at a time.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/lab/**/*.test.ts"],
    // the VMs share 2 host cores: files run one after another
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 900_000,
  },
});
