// The line splitter every helper line passes through: lines across chunks, \r\n, a last line
// without a newline, and the length limit hit before the line is held whole.
import { PassThrough, Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { boundedLines } from "./bounded-lines.js";

const tooLong = (n: number) => new Error(`line ${n} too long`);

async function linesFrom(stream: Readable, max?: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of boundedLines(stream, tooLong, max)) lines.push(line);
  return lines;
}
const linesOf = (chunks: (string | Buffer)[], max?: number) => linesFrom(Readable.from(chunks, { objectMode: false }), max);

describe("boundedLines", () => {
  it("splits lines across chunks, drops \\r before \\n, keeps empty lines and an unterminated last line", async () => {
    expect(await linesOf(["a", "b\nc", "\r\n\n", "d\ne"])).toEqual(["ab", "c", "", "d", "e"]);
  });

  it("decodes a UTF-8 character split between chunks", async () => {
    const euro = Buffer.from("€\n");
    expect(await linesOf([euro.subarray(0, 1), euro.subarray(1)])).toEqual(["€"]);
  });

  it("stops at the first line longer than the limit, naming it, with a newline or without", async () => {
    await expect(linesOf(["ok\n", "x".repeat(11), "\n"], 10)).rejects.toThrow("line 2 too long");
    await expect(linesOf(["ok\n", "x".repeat(11)], 10)).rejects.toThrow("line 2 too long");
    expect(await linesOf(["x".repeat(10), "\n"], 10)).toEqual(["x".repeat(10)]);
  });

  it("throws before holding more than the limit plus one chunk of an endless line", async () => {
    const stream = new PassThrough();
    const chunk = Buffer.alloc(64 * 1024, 0x78);
    let written = 0;
    const writer = setInterval(() => {
      stream.write(chunk);
      written += chunk.length;
    }, 1);
    try {
      await expect(linesFrom(stream, 1024 * 1024)).rejects.toThrow("line 1 too long");
      // the reader gave up after about a MiB: it did not wait for the writer to stop
      expect(written).toBeLessThan(64 * 1024 * 1024);
    } finally {
      clearInterval(writer);
    }
  });
});
