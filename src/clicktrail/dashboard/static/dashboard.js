// clicktrail dashboard: copy buttons and the analytics chart. Loaded as a file (the pages'
// Content-Security-Policy allows no inline script); reads its data from a JSON block.
"use strict";

function setUpCopyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = "Copied";
      } catch {
        button.textContent = "Copy failed";
      }
    });
  }
}

function money(cents) {
  return "$" + (cents / 100).toFixed(2);
}

function drawChart() {
  const source = document.getElementById("chart-data");
  const canvas = document.getElementById("chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const line = (label, values, color, axis) => ({
    label, data: values, borderColor: color, backgroundColor: color, yAxisID: axis,
    tension: 0.2, pointRadius: 2,
  });
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        line("Clicks", data.clicks, "#2563eb", "count"),
        line("Leads", data.leads, "#d97706", "count"),
        line("Sales", data.sales, "#059669", "count"),
        line("Revenue", data.saleAmount.map((c) => c / 100), "#7c3aed", "money"),
      ],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        count: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
        money: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false },
                 ticks: { callback: (v) => money(v * 100) } },
      },
    },
  });
  canvas.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", () => {
  setUpCopyButtons();
  drawChart();
});
