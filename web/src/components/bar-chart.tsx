// A bar chart (uPlot, MIT): one bar per labelled value. Decorative beside its table, which
// carries the same figures for screen readers and keyboards.
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

export function BarChart(props: { labels: string[]; values: number[]; unit: string }) {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = target.current;
    if (!root || props.values.length === 0) return;
    const xs = props.values.map((_, n) => n);
    const chart = new uPlot(
      {
        width: Math.max(280, Math.min(root.clientWidth || 600, 900)),
        height: 240,
        scales: { x: { time: false, range: [-0.5, xs.length - 0.5] } },
        legend: { show: false },
        axes: [
          { values: (_, ticks) => ticks.map((t) => props.labels[t] ?? "") },
          { label: props.unit },
        ],
        series: [
          {},
          {
            label: props.unit,
            fill: "rgba(29, 78, 216, 0.6)",
            stroke: "#1d4ed8",
            paths: uPlot.paths.bars?.({ size: [0.6, 60] }),
            points: { show: false },
          },
        ],
      },
      [xs, props.values],
      root,
    );
    return () => chart.destroy();
  }, [props.labels, props.values, props.unit]);
  return <div ref={target} class="chart" aria-hidden="true" />;
}
