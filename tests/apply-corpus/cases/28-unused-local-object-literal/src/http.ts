export async function getJson(url: string): Promise<unknown> {
  const defaultHeaders = { accept: 'application/json', 'x-client': 'selfreview' };
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return res.json();
}
