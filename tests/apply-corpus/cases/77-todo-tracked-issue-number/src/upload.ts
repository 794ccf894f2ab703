export async function upload(url: string, body: Blob): Promise<number> {
  // TODO(#123): resume interrupted uploads
  const res = await fetch(url, { method: 'PUT', body });
  return res.status;
}
