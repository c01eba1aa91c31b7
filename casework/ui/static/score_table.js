// The Attachment 4 form (续期评估明细表) drawn as one widget: every item's verdict buttons and
// points list, every veto item's 否/是, the group subtotals and the running total.
//
// The kernel owns every value. A click or a choice is sent to it as a message
// {id, field, value}; it checks the value (REN-07: the verdict decides the points on offer),
// saves, and sends back the new `state`, which this view paints. Nothing here decides a value.
// One widget model for the whole sheet (was ~230, one per text, button row and list): the
// page shows as soon as the browser has its HTML, not after building hundreds of models.

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);

function choiceButtons(id, field, choices) {
  const buttons = choices.map(
    (c) =>
      `<button type="button" class="jupyter-button widget-toggle-button cw-a4-choice"` +
      ` data-id="${esc(id)}" data-field="${field}" data-value="${esc(c)}"` +
      ` aria-pressed="false">${esc(c)}</button>`,
  );
  return `<div class="widget-toggle-buttons cw-a4-choices"><div class="btn-group">${buttons.join("")}</div></div>`;
}

function markup(model) {
  const verdicts = model.get("verdict_options");
  const parts = [`<div class="cw-info">${esc(model.get("legend"))}</div>`];
  for (const group of model.get("groups")) {
    parts.push(`<div class="cw-a4-group"><div class="cw-a4-label" data-group="${esc(group.no)}"></div>`);
    for (const item of group.items) {
      parts.push(
        `<div class="cw-a4-row cw-item-${esc(item.id)}" data-row="${esc(item.id)}">` +
          `<div class="cw-a4-text">${item.html}<div class="cw-a4-hint"></div></div>` +
          choiceButtons(item.id, "verdict", verdicts) +
          `<select class="cw-a4-points" data-id="${esc(item.id)}" data-field="points"` +
          ` aria-label="${esc(item.id)}得分"></select></div>`,
      );
    }
    parts.push("</div>");
  }
  parts.push(`<div class="cw-a4-vetoes"><div class="cw-a4-label"><b>${esc(model.get("veto_heading"))}</b></div>`);
  for (const veto of model.get("vetoes")) {
    parts.push(
      `<div class="cw-a4-row cw-veto-${esc(veto.id)}" data-row="${esc(veto.id)}">` +
        `<div class="cw-a4-text cw-a4-veto-text">${veto.html}<div class="cw-a4-hint"></div></div>` +
        choiceButtons(veto.id, "veto", model.get("veto_options")) +
        "</div>",
    );
  }
  parts.push('</div><div class="cw-running-total"></div>');
  return parts.join("");
}

function render({ model, el }) {
  el.classList.add("cw-a4");
  el.innerHTML = markup(model);
  const rows = new Map();
  for (const row of el.querySelectorAll("[data-row]")) {
    rows.set(row.dataset.row, {
      buttons: [...row.querySelectorAll("button")],
      select: row.querySelector("select"),
      hint: row.querySelector(".cw-a4-hint"),
    });
  }
  const labels = new Map([...el.querySelectorAll("[data-group]")].map((l) => [l.dataset.group, l]));
  const total = el.querySelector(".cw-running-total");

  function paintState() {
    const locked = model.get("locked");
    for (const [id, s] of Object.entries(model.get("state"))) {
      const row = rows.get(id);
      if (row === undefined) continue;
      for (const b of row.buttons) {
        const on = b.dataset.value === s.v;
        b.classList.toggle("mod-active", on);
        b.setAttribute("aria-pressed", String(on));
        b.disabled = locked;
      }
      const select = row.select;
      if (select === null) continue;
      const offered = s.o || [];
      const key = JSON.stringify(offered);
      if (select.dataset.key !== key) {
        select.innerHTML =
          '<option value="" disabled hidden></option>' +
          offered.map((o, i) => `<option value="${i}">${esc(o[0])}</option>`).join("");
        select.dataset.key = key;
      }
      const at = offered.findIndex((o) => o[1] === s.p);
      select.value = at < 0 ? "" : String(at);
      select.disabled = locked || offered.length === 0;
    }
  }
  function paintLabels() {
    for (const [no, html] of Object.entries(model.get("labels"))) {
      const label = labels.get(no);
      if (label !== undefined) label.innerHTML = html;
    }
  }
  function paintHints() {
    const hints = model.get("hints");
    for (const [id, row] of rows) row.hint.innerHTML = hints[id] || "";
  }
  function paintTotal() {
    total.innerHTML = model.get("total");
  }

  el.addEventListener("click", (event) => {
    const button = event.target.closest("button.cw-a4-choice");
    if (button === null || button.disabled) return;
    const row = rows.get(button.dataset.id);
    for (const b of row.buttons) b.classList.toggle("mod-active", b === button); // at once; the kernel confirms
    model.send({ id: button.dataset.id, field: button.dataset.field, value: button.dataset.value });
  });
  el.addEventListener("change", (event) => {
    const select = event.target;
    if (!select.matches("select.cw-a4-points") || select.value === "") return;
    const offered = JSON.parse(select.dataset.key || "[]");
    const chosen = offered[Number(select.value)];
    if (chosen !== undefined) model.send({ id: select.dataset.id, field: "points", value: chosen[1] });
  });

  model.on("change:state", paintState);
  model.on("change:locked", paintState);
  model.on("change:labels", paintLabels);
  model.on("change:hints", paintHints);
  model.on("change:total", paintTotal);
  paintState();
  paintLabels();
  paintHints();
  paintTotal();
  // tell the kernel the sheet is on screen: it computes the evidence hints only now, so that
  // work never delays the page
  requestAnimationFrame(() => model.send({ shown: true }));
  return () => {
    model.off("change:state", paintState);
    model.off("change:locked", paintState);
    model.off("change:labels", paintLabels);
    model.off("change:hints", paintHints);
    model.off("change:total", paintTotal);
  };
}

export default { render };
