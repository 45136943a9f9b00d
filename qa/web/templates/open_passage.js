// js_on_load of the panels holding data-pid links: tell the server which passage to open.
element.addEventListener('click', function (e) {
  const a = e.target.closest('a.open-passage');
  if (!a) return;
  e.preventDefault();
  trigger('select', {index: Number(a.dataset.pid), value: a.dataset.parts || a.dataset.pid, selected: true});
});
