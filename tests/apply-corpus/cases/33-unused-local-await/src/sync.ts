async function upload(path: string, body: string): Promise<{ etag: string }> {
  const res = await fetch(path, { method: 'PUT', body });
  return { etag: res.headers.get('etag') ?? '' };
}

export async function syncNote(id: string, text: string): Promise<void> {
  const result = await upload(`/notes/${id}`, text);
  console.info(`synced ${id}`);
}
