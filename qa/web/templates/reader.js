// js_on_load of the reader: after each render, bring the highlighted passage into view. The
// reader may still be in a hidden tab when its value arrives, so wait until it is laid out.
function reveal() {
  const t = element.querySelector('.target');
  if (!t) return;
  const cur = element.querySelector('.outline li.current');
  let tries = 0;
  (function tick() {
    if (t.getClientRects().length) {
      t.scrollIntoView({block: 'center'});
      if (cur) cur.scrollIntoView({block: 'nearest'});
    } else if (tries++ < 60) {
      setTimeout(tick, 50);
    }
  })();
}
watch('value', reveal);
reveal();
