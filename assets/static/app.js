// fimdb's own script: small conveniences on top of htmx. The pages work
// without it (and without htmx); nothing here is needed for correctness.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Keep pushed URLs short and shareable: leave out empty fields and the
  // defaults, exactly as the server's own links do.
  var defaults = { sort: "score", items: "50", p: "1" };
  document.addEventListener("htmx:configRequest", function (e) {
    var params = e.detail.parameters;
    if (!params || typeof params.keys !== "function") return;
    Array.from(params.keys()).forEach(function (key) {
      var value = String(params.get(key)).trim();
      if (value === "" || defaults[key] === value) params.delete(key);
    });
  });

  // On a phone the genre chips scroll sideways: keep the chosen one in view.
  function showCheckedGenre() {
    var chip = document.querySelector(".genre-chip:has(input:checked)");
    if (chip) chip.scrollIntoView({ block: "nearest", inline: "center" });
  }
  document.addEventListener("DOMContentLoaded", showCheckedGenre);
  document.addEventListener("htmx:historyRestore", showCheckedGenre);

  // A row being deleted fades while the request and the swap run.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-delete-row")) {
      var row = elt.closest("tr");
      if (row) row.classList.add("deleting");
    }
  });
  document.addEventListener("htmx:responseError", function (e) {
    document.querySelectorAll("tr.deleting").forEach(function (row) { row.classList.remove("deleting"); });
  });

  // The Undo toast: a delete fills #undo out of band. The toast shows once
  // htmx has wired the form in it (htmx:load comes right after), and closes
  // when Undo is answered or, by itself, after data-close-after
  // milliseconds (8 s as served), taking Undo with it.
  var undoTimer;
  function closeUndo() {
    clearTimeout(undoTimer);
    var undo = document.getElementById("undo");
    if (!undo) return;
    undo.parentElement.classList.remove("active");
    undo.replaceChildren();
  }
  function countDownUndo(toast) {
    clearTimeout(undoTimer);
    undoTimer = setTimeout(closeUndo, Number(toast.dataset.closeAfter) || 8000);
  }
  document.addEventListener("htmx:load", function (e) {
    var undo = e.target;
    if (undo.id !== "undo" || !undo.firstElementChild) return;
    var toast = undo.parentElement;
    toast.classList.add("active");
    holdWhileUsed(toast);
    if (!toast.matches(":hover") && !toast.contains(document.activeElement)) countDownUndo(toast);
  });
  // Someone reading the toast or reaching for Undo keeps it (WCAG 2.2.1):
  // the countdown stops while the pointer is over it or focus is in it, and
  // starts afresh once both have left.
  function holdWhileUsed(toast) {
    if (toast.dataset.holds) return;
    toast.dataset.holds = "true";
    function hold() { clearTimeout(undoTimer); }
    function release(e) {
      if (!toast.classList.contains("active")) return;
      var focusStays = e.type === "focusout" ? toast.contains(e.relatedTarget) : toast.contains(document.activeElement);
      var pointerStays = e.type === "mouseleave" ? false : toast.matches(":hover");
      if (!focusStays && !pointerStays) countDownUndo(toast);
    }
    toast.addEventListener("mouseenter", hold);
    toast.addEventListener("focusin", hold);
    toast.addEventListener("mouseleave", release);
    toast.addEventListener("focusout", release);
  }

  // Undo's answer replaces #results, and so does a search, a page or a
  // delete that runs while Undo is on its way: htmx then drops Undo's swap
  // (its target has left the page), or the other answer shows the table as
  // it was before the restore. So when any of those started or ended
  // meanwhile, the current search runs again once the movie is back.
  // Requests are told apart by their XMLHttpRequest: htmx repeats
  // afterRequest on an ancestor, as its elt, when the element has left
  // the page.
  var resultsActivity = 0, resultsInFlight = 0;
  var undos = new WeakMap(), resultsRequests = new WeakSet();
  document.addEventListener("htmx:beforeRequest", function (e) {
    var d = e.detail;
    if (d.elt && d.elt.matches && d.elt.matches("[data-undo]")) {
      undos.set(d.xhr, { form: d.elt, activity: resultsActivity });
    } else if (d.target && d.target.id === "results") {
      resultsRequests.add(d.xhr);
      resultsActivity++;
      resultsInFlight++;
    }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var d = e.detail, undo = undos.get(d.xhr);
    if (undo) {
      undos.delete(d.xhr);
      var toast = document.getElementById("undo");
      if (toast && toast.contains(undo.form)) closeUndo();
      if (d.successful && (undo.activity !== resultsActivity || resultsInFlight > 0)) searchAgain();
    } else if (resultsRequests.has(d.xhr)) {
      resultsRequests.delete(d.xhr);
      resultsActivity++;
      resultsInFlight--;
    }
  });
  function searchAgain() {
    var form = document.getElementById("search");
    if (!form || !window.htmx) return;
    // As the form itself would, with its hx-sync replacing a search still
    // on its way; the address already shows this search, so none is pushed.
    htmx.ajax("GET", form.getAttribute("hx-get"), { source: form, target: "#results", swap: "outerHTML", push: "false" });
  }

  // Close the add form (no request needed).
  document.addEventListener("click", function (e) {
    var close = e.target.closest && e.target.closest("[data-close-add]");
    if (close) document.getElementById("new-movie").innerHTML = "";
  });

  // Genre chips: the hidden field holds the comma-separated list the API
  // reads; the chips and the input only edit it.
  function chipsOf(el) { return el.closest("[data-chips]"); }
  function chipValues(box) {
    return Array.from(box.querySelectorAll("[data-chip]")).map(function (c) { return c.dataset.chip; });
  }
  function syncChips(box) {
    box.querySelector("[data-chips-value]").value = chipValues(box).join(", ");
  }
  function addChip(box, name) {
    name = name.trim();
    if (!name) return;
    var exists = chipValues(box).some(function (v) { return v.toLowerCase() === name.toLowerCase(); });
    if (exists) return;
    var input = box.querySelector("[data-chips-input]");
    var chip = document.createElement("span");
    chip.className = "chip small";
    chip.dataset.chip = name;
    // The catalog's genres show translated (the datalist option's label);
    // the chip's value stays the stored name.
    var option = Array.prototype.find.call(box.querySelectorAll("datalist option"), function (o) {
      return o.value.toLowerCase() === name.toLowerCase();
    });
    var label = document.createElement("span");
    label.textContent = (option && option.label) || name;
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove transparent";
    remove.setAttribute("data-chip-remove", "");
    remove.setAttribute("aria-label", (box.dataset.removeLabel || "× {genre}").replace("{genre}", label.textContent));
    remove.appendChild(box.querySelector("[data-chip-remove-icon]").content.cloneNode(true));
    chip.appendChild(label);
    chip.appendChild(remove);
    input.parentNode.insertBefore(chip, input);
    syncChips(box);
  }
  document.addEventListener("click", function (e) {
    var remove = e.target.closest && e.target.closest("[data-chip-remove]");
    if (!remove) return;
    var box = chipsOf(remove);
    remove.closest("[data-chip]").remove();
    syncChips(box);
    box.querySelector("[data-chips-input]").focus();
  });
  document.addEventListener("keydown", function (e) {
    if (!e.target.matches || !e.target.matches("[data-chips-input]")) return;
    var box = chipsOf(e.target);
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      e.stopPropagation();
      addChip(box, e.target.value);
      e.target.value = "";
    } else if (e.key === "Backspace" && e.target.value === "") {
      var chips = box.querySelectorAll("[data-chip]");
      if (chips.length) { chips[chips.length - 1].remove(); syncChips(box); }
    }
  }, true);
  // Picking from the autocomplete list fills the input with a whole genre.
  document.addEventListener("input", function (e) {
    if (!e.target.matches || !e.target.matches("[data-chips-input]")) return;
    var list = document.getElementById(e.target.getAttribute("list"));
    var value = e.target.value;
    var picked = list && Array.from(list.options).some(function (o) { return o.value === value; });
    if (picked && e.inputType !== "insertText" && e.inputType !== "deleteContentBackward") {
      addChip(chipsOf(e.target), value);
      e.target.value = "";
    }
  });

  // Escape in an edit row cancels the edit; Enter saves it.
  document.addEventListener("keydown", function (e) {
    var row = e.target.closest && e.target.closest("tr.editing");
    if (!row) return;
    if (e.key === "Escape") {
      var cancel = row.querySelector("[data-cancel-edit]");
      if (cancel) { e.preventDefault(); cancel.click(); }
    } else if (e.key === "Enter" && e.target.tagName === "INPUT") {
      var save = row.querySelector("[data-testid=save]");
      if (save) { e.preventDefault(); save.click(); }
    }
  });

  // Autocomplete: the WAI-ARIA combobox pattern over the listbox that htmx
  // loads into the box under each search input.
  function comboParts(input) {
    var box = input.parentNode.querySelector("[data-suggest-box]");
    return { box: box, options: box ? Array.from(box.querySelectorAll("[role=option]")) : [] };
  }
  function setActive(input, index) {
    var parts = comboParts(input);
    parts.options.forEach(function (o, i) {
      o.classList.toggle("active", i === index);
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    var active = parts.options[index];
    if (active) {
      input.setAttribute("aria-activedescendant", active.id);
      active.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
    input._active = active ? index : -1;
  }
  function openCombo(input, open) {
    var parts = comboParts(input);
    open = open && parts.options.length > 0;
    parts.box.classList.toggle("open", open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) setActive(input, -1);
  }
  function pick(input, option) {
    input.value = option.dataset.value;
    openCombo(input, false);
    input._picked = input.value; // a response for the old text must not reopen the list
    if (input.form && window.htmx) htmx.trigger(input.form, "submit");
  }
  document.addEventListener("htmx:afterSwap", function (e) {
    var box = e.detail.target;
    if (!box || !box.hasAttribute || !box.hasAttribute("data-suggest-box")) return;
    var input = box.parentNode.querySelector("[data-combobox]");
    if (input._picked === input.value || document.activeElement !== input) {
      openCombo(input, false);
      return;
    }
    openCombo(input, true);
  });
  document.addEventListener("input", function (e) {
    if (e.target.matches && e.target.matches("[data-combobox]")) e.target._picked = null;
  });
  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches("[data-combobox]")) return;
    var parts = comboParts(input);
    var open = input.getAttribute("aria-expanded") === "true";
    var active = typeof input._active === "number" ? input._active : -1;
    switch (e.key) {
      case "ArrowDown":
        if (!parts.options.length) return;
        e.preventDefault();
        if (!open) openCombo(input, true);
        setActive(input, Math.min(active + 1, parts.options.length - 1));
        break;
      case "ArrowUp":
        if (!open) return;
        e.preventDefault();
        setActive(input, Math.max(active - 1, 0));
        break;
      case "Enter":
        if (open && active >= 0) {
          e.preventDefault();
          pick(input, parts.options[active]);
        } else {
          openCombo(input, false);
        }
        break;
      case "Escape":
        e.preventDefault();
        if (open) {
          openCombo(input, false);
        } else if (input.value !== "") {
          input.value = "";
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
        break;
      case "Tab":
        openCombo(input, false);
        break;
    }
  });
  // mousedown, not click: the input must not lose focus (and close) first.
  document.addEventListener("mousedown", function (e) {
    var option = e.target.closest && e.target.closest("[data-suggest-box] [role=option]");
    if (!option) return;
    e.preventDefault();
    pick(option.closest(".combo").querySelector("[data-combobox]"), option);
  });
  document.addEventListener("focusout", function (e) {
    if (e.target.matches && e.target.matches("[data-combobox]")) openCombo(e.target, false);
  });

  // Tell assistive technology when the results are being replaced.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var results = document.getElementById("results");
    if (results && e.detail.target === results) results.setAttribute("aria-busy", "true");
  });

  // A failed request must not fail silently: say so in the toast.
  var toastTimer;
  function toast(kind) {
    var el = document.getElementById("toast");
    if (!el) return;
    el.textContent = el.dataset[kind] || kind;
    el.classList.add("active");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      el.classList.remove("active");
      el.textContent = "";
    }, 5000);
  }
  document.addEventListener("htmx:responseError", function (e) {
    toast("requestFailed");
  });
  document.addEventListener("htmx:sendError", function () {
    toast("offline");
  });

  // The language links were written for the address the page loaded at;
  // live search has changed the query since, so carry the current one.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-lang]");
    if (link) {
      var u = new URL(window.location.href);
      u.searchParams.set("lang", link.dataset.lang);
      link.href = u.pathname + u.search;
      return;
    }
    // A click anywhere else closes an open language menu.
    document.querySelectorAll("details.lang-switcher[open]").forEach(function (d) {
      if (!d.contains(e.target)) d.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    var open = document.querySelector("details.lang-switcher[open]");
    if (open) {
      open.removeAttribute("open");
      open.querySelector("summary").focus();
    }
  });
})();
