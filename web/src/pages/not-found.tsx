export function NotFound() {
  return (
    <section>
      <h1>No such page</h1>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </section>
  );
}
