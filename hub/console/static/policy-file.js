// The proposal editor's "open a file": reads the chosen TOML file into the editor.
// The console's forms are urlencoded (no multipart reader on the hub), so the
// file travels as the editor's text; without script the officer pastes it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[type=file][data-into]")) {
    const editor = document.getElementById(input.dataset.into);
    const status = document.getElementById(input.dataset.status);
    const wrapper = input.closest("[hidden]");
    if (wrapper) wrapper.removeAttribute("hidden");
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file || !editor) return;
      editor.value = await file.text();
      if (status) status.textContent = `${file.name} is in the editor: check it, then submit.`;
      editor.focus();
    });
  }
});
