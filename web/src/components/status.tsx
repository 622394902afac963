// An appointment's status, in words and colour (the colour is never the only sign).
const WORDS: Record<string, string> = {
  booked: "Booked",
  confirmed: "Confirmed",
  checked_in: "Checked in",
  in_service: "In the chair",
  completed: "Completed",
  cancelled: "Cancelled",
  no_show: "No-show",
};

export function statusWords(status: string): string {
  return WORDS[status] ?? status;
}

export function StatusBadge(props: { status: string }) {
  return <span class={`status status-${props.status}`}>{statusWords(props.status)}</span>;
}

export const STATUSES = Object.keys(WORDS);
