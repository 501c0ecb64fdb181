// Names for the admin's unlabelled controls (WCAG 4.1.2), added right after the admin's autocomplete.js has drawn its
// Select2 boxes (a jQuery ready handler registered after that one runs after it).
// - An autocomplete box (Select2) names its combobox only by the value chosen, empty before a choice: prefix the
//   field's own label.
// - A tabular inline's cells have a column header but no <label>: name each input by its column and row.
'use strict';
window.django.jQuery(() => {
  document.querySelectorAll('.select2-selection[role=combobox][aria-labelledby]').forEach((box) => {
    const select = box.closest('.select2-container')?.previousElementSibling;
    const label = select && select.id && document.querySelector(`label[for="${select.id}"]`);
    if (!label) return;
    label.id = label.id || `${select.id}-label`;
    const rendered = box.querySelector('[role=textbox]');
    if (rendered) rendered.setAttribute('aria-labelledby', `${label.id} ${rendered.id}`);
    box.setAttribute('aria-labelledby', `${label.id} ${box.getAttribute('aria-labelledby')}`);
  });
  document.querySelectorAll('.tabular table').forEach((table) => {
    table.querySelectorAll('tbody tr').forEach((row, index) => {
      row.querySelectorAll('td').forEach((cell) => {
        const name = [...cell.classList].find((c) => c.startsWith('field-'))?.slice('field-'.length);
        const header = name ? table.querySelector(`thead th.column-${name}`)
          : cell.classList.contains('delete') && table.querySelector('thead th:last-child');
        if (!header) return;
        cell.querySelectorAll('input:not([type=hidden]), select, textarea').forEach((input) => {
          if (!input.labels.length && !input.hasAttribute('aria-label')) {
            input.setAttribute('aria-label', `${header.textContent.trim()} ${index + 1}`);
          }
        });
      });
    });
  });
});
