/** The renderer's typography and colours (GitHub's Markdown palette). */
export const theme = {
  text: "#1f2328",
  muted: "#59636e",
  link: "#0969da",
  rule: "#d1d9e0",
  shade: "#f6f8fa",
  bodySize: 10.5,
  codeSize: 9,
  tableSize: 9.5,
  lineGap: 2,
  blockGap: 7,
  headingSizes: [20, 16, 13, 11.5, 11, 10.5] as const,
} as const;
