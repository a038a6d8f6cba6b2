export default function Loading() {
  return (
    <div aria-busy="true">
      <span className="sr-only">Loading…</span>
      <div className="skeleton" style={{ height: 28, width: 240, borderRadius: 6, marginBottom: 16 }} />
      <div className="panel skeleton" style={{ height: 320 }} />
    </div>
  );
}
