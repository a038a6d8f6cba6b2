/** How a stored value with bytes is laid out: 4-byte length of the JSON metadata, the metadata, then the bytes. */
export function pack(meta: object, body: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(meta));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json, body]);
}

/** The metadata and a copy of the bytes of a packed value (the copy lets the read buffer go). */
export function unpack<T>(bytes: Buffer): { meta: T; body: Buffer } {
  const length = bytes.readUInt32BE(0);
  return {
    meta: JSON.parse(bytes.subarray(4, 4 + length).toString()) as T,
    body: Buffer.from(bytes.subarray(4 + length)),
  };
}
