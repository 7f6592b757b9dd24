/** A thumb drawn inline: emoji fonts are missing on some systems, and an icon font would cost a request. */
export function ThumbIcon({ down }: { down?: boolean }) {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false" style={down ? { transform: "rotate(180deg)" } : undefined}>
      <path
        fill="none"
        stroke="currentColor"
        stroke-width="2"
        stroke-linejoin="round"
        d="M7 11v9H4a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1h3Zm0 0 4-8a3 3 0 0 1 3 3v4h5.5a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 18.3 21H7"
      />
    </svg>
  );
}
