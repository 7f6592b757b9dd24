/**
 * `Content-Disposition: attachment` for a download named after something a
 * user titled: an ASCII `filename` every client understands, and the title
 * as written in `filename*` (RFC 6266 / RFC 8187) when it is not plain ASCII.
 */
export function attachment(title: string, extension: string, fallback = "document"): string {
  const ascii =
    title
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/-{2,}/g, "-")
      .replace(/^[-.]+|[-.]+$/g, "")
      .slice(0, 100) || fallback;
  const header = `attachment; filename="${ascii}.${extension}"`;
  const named = title.replace(/[\u0000-\u001f\u007f"\\/:*?<>|]+/g, "-").trim().slice(0, 150);
  if (/^[\u0020-\u007e]*$/.test(named)) return header;
  const encoded = encodeURIComponent(`${named}.${extension}`).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${header}; filename*=UTF-8''${encoded}`;
}
