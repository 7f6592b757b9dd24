/** A URL's query string in API Gateway's two shapes: last value wins, and every value; both null when there is none. */
export function queryParameters(url: URL): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  const none = Object.keys(single).length === 0;
  return { queryStringParameters: none ? null : single, multiValueQueryStringParameters: none ? null : multi };
}
