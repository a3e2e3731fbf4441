import type { VNode } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';

// Only what a bar chart needs, so the bundle carries no other chart types.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

/**
 * A bar chart of rupees by label (chart.js on a canvas). The canvas is an image to assistive
 * technology; its label says what it shows and the figures are in the tables beside it.
 */
export function SalesChart(props: { title: string; labels: string[]; rupees: number[] }): VNode {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      type: 'bar',
      data: { labels: props.labels, datasets: [{ label: 'Net sales (₹)', data: props.rupees, backgroundColor: '#b3261e' }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { callback: (v) => `₹${v}` } } },
        plugins: { tooltip: { callbacks: { label: (c) => `₹${Number(c.raw).toFixed(2)}` } } },
      },
    });
    return () => chart.destroy();
  }, [props.labels.join(','), props.rupees.join(',')]);
  const total = props.rupees.reduce((s, v) => s + v, 0);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div class="chart-box">
        <canvas ref={canvas} role="img" aria-label={`${props.title}: ${props.labels.length} bars, ₹${total.toFixed(2)} in all`} data-bars={props.labels.length} />
      </div>
    </figure>
  );
}
