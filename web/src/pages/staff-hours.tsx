// A barber's week as a form: each weekday on or off, its hours and one break.
import type { Schemas } from "../api/client";

type WorkingDay = Schemas["WorkingDayView"];
type WorkingDayInput = Schemas["WorkingDayInput"];

export const WEEKDAYS: [string, string][] = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
];

/** The form's fields as the rota the API takes: a day left unticked is a day off. */
export function rotaOf(form: FormData): WorkingDayInput[] {
  return WEEKDAYS.flatMap(([day]) => {
    if (form.get(`${day}-on`) !== "on") return [];
    const field = (name: string) => String(form.get(`${day}-${name}`) ?? "");
    const breakStart = field("break-start");
    const breakEnd = field("break-end");
    return [
      {
        weekday: day,
        start: field("start"),
        end: field("end") === "00:00" ? "24:00" : field("end"),
        breaks: breakStart && breakEnd ? [{ start: breakStart, end: breakEnd }] : [],
      },
    ];
  });
}

export function HoursFields(props: { hours: WorkingDay[] }) {
  return (
    <div class="overflow-auto">
      <table class="hours">
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Break from</th>
            <th scope="col">Break to</th>
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map(([day, name]) => {
            const worked = props.hours.find((h) => h.weekday === day);
            const pause = worked?.breaks[0];
            return (
              <tr key={day}>
                <th scope="row">
                  <label>
                    <input name={`${day}-on`} type="checkbox" defaultChecked={!!worked} />
                    {name}
                  </label>
                </th>
                <td>
                  <input
                    name={`${day}-start`}
                    type="time"
                    step={300}
                    aria-label={`${name} from`}
                    defaultValue={worked?.start ?? "09:00"}
                  />
                </td>
                <td>
                  <input
                    name={`${day}-end`}
                    type="time"
                    step={300}
                    aria-label={`${name} to`}
                    defaultValue={worked?.end === "24:00" ? "00:00" : (worked?.end ?? "18:00")}
                  />
                </td>
                <td>
                  <input
                    name={`${day}-break-start`}
                    type="time"
                    step={300}
                    aria-label={`${name} break from`}
                    defaultValue={pause?.start ?? ""}
                  />
                </td>
                <td>
                  <input
                    name={`${day}-break-end`}
                    type="time"
                    step={300}
                    aria-label={`${name} break to`}
                    defaultValue={pause?.end ?? ""}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
