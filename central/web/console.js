// Live parts: every element with data-live is refetched as an HTML
// fragment every few seconds. The form is posted in the background so the
// page keeps refreshing; without this script both still work by reload.
"use strict";
(function () {
  const every = 2000;
  const status = document.getElementById("live-status");
  function mark(ok, text) {
    if (!status) return;
    status.textContent = text;
    status.className = ok ? "live" : "live lost";
  }
  async function refresh() {
    const parts = document.querySelectorAll("[data-live]");
    try {
      for (const el of parts) {
        const res = await fetch(el.dataset.live, { cache: "no-store" });
        if (!res.ok) throw new Error("HTTP " + res.status);
        el.innerHTML = await res.text();
      }
      mark(true, "live, updated " + new Date().toLocaleTimeString());
    } catch (e) {
      mark(false, "connection to the centre lost (" + e.message + "); retrying");
    }
  }
  let timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(async () => { await refresh(); schedule(); }, every);
  }
  schedule();

  const form = document.getElementById("command-form");
  const flash = document.getElementById("flash");
  if (form && flash) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const res = await fetch(form.action, {
          method: "POST",
          headers: { "Accept": "application/json" },
          body: new URLSearchParams(new FormData(form)),
        });
        const answer = await res.json();
        flash.textContent = answer.message;
        flash.className = answer.ok ? "" : "failed";
        if (answer.ok) {
          for (const f of form.querySelectorAll("input[type=text], input:not([type])")) f.value = "";
        }
      } catch (e) {
        flash.textContent = "not sent: " + e.message + "; check the centre is running and send again";
        flash.className = "failed";
      } finally {
        button.disabled = false;
      }
      await refresh();
      schedule();
    });
  }
})();
