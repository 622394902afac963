// A customer's details as a form: new (register) or existing (a partial update).
import { api, type Schemas } from "../api/client";
import { field, formOf, useAction } from "../components/form";
import { ErrorNote } from "../components/load";

type Customer = Schemas["CustomerView"];

/** Tags typed as `vip, beard` → `["vip", "beard"]`. */
export function tagsOf(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

export function CustomerForm(props: { customer?: Customer; onSaved: (id: string) => void }) {
  const c = props.customer;
  const { busy, error, run } = useAction();

  const save = async (event: Event) => {
    const form = formOf(event);
    const fields = {
      name: field(form, "name"),
      phone: field(form, "phone") || null,
      email: field(form, "email") || null,
      notes: field(form, "notes") || null,
      tags: tagsOf(field(form, "tags")),
      marketing_consent: form.get("marketing_consent") === "on",
      reminders: form.get("reminders") === "on",
    };
    const saved = await run(() =>
      c
        ? api.PATCH("/api/v1/customers/{id}", { params: { path: { id: c.id } }, body: fields })
        : api.POST("/api/v1/customers", { body: fields }),
    );
    if (saved) props.onSaved(c?.id ?? saved.id);
  };

  return (
    <form onSubmit={save}>
      <label>
        Name
        <input name="name" required defaultValue={c?.name ?? ""} autocomplete="off" />
      </label>
      <div class="grid">
        <label>
          Phone
          <input name="phone" type="tel" defaultValue={c?.phone ?? ""} autocomplete="off" />
        </label>
        <label>
          Email
          <input name="email" type="email" defaultValue={c?.email ?? ""} autocomplete="off" />
        </label>
      </div>
      <label>
        Tags <small>(separated by commas)</small>
        <input name="tags" defaultValue={(c?.tags ?? []).join(", ")} autocomplete="off" />
      </label>
      <label>
        Notes
        <textarea name="notes" rows={3} defaultValue={c?.notes ?? ""} />
      </label>
      <label>
        <input
          name="marketing_consent"
          type="checkbox"
          defaultChecked={c?.marketing_consent ?? false}
        />
        Agrees to marketing messages
      </label>
      <label>
        <input name="reminders" type="checkbox" defaultChecked={c?.reminders ?? true} />
        Wants reminders of appointments
      </label>
      <ErrorNote message={error} />
      <button type="submit" aria-busy={busy} disabled={busy}>
        {c ? "Save" : "Add customer"}
      </button>
    </form>
  );
}
