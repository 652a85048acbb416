// Progressive enhancement only: every page works without this file.
import { initAll } from '/assets/nhsuk/nhsuk-frontend.min.js';

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');
initAll();

// The design system marks a radio that reveals more fields with aria-expanded, which ARIA
// does not allow on a radio (axe: aria-allowed-attr); GOV.UK Frontend dropped it for that
// reason. The revealed fields follow their radio, so taking it off loses nothing.
const unexpand = () => {
  for (const radio of document.querySelectorAll('input[type="radio"][aria-expanded]')) {
    radio.removeAttribute('aria-expanded');
  }
};
unexpand();
new MutationObserver(unexpand).observe(document.body, { subtree: true, attributeFilter: ['aria-expanded'] });

// A flooded form asks for a proof of work (crates/app/src/speakup/pow.rs): find a number that
// makes SHA-256("challenge:number") start with enough zero bits, then send the form.
// Without this script (or Web Crypto) the form says to try again in a few minutes.
function zeroBits(bytes) {
  let bits = 0;
  for (const byte of bytes) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

async function solve(challenge, bits) {
  const encoder = new TextEncoder();
  const batch = 256;
  for (let start = 0; ; start += batch) {
    const tries = [];
    for (let n = start; n < start + batch; n++) {
      const data = encoder.encode(`${challenge}:${n}`);
      tries.push(crypto.subtle.digest('SHA-256', data).then((d) => [n, new Uint8Array(d)]));
    }
    for (const [n, digest] of await Promise.all(tries)) {
      if (zeroBits(digest) >= bits) return n;
    }
  }
}

for (const form of document.querySelectorAll('form[data-pow]')) {
  form.addEventListener('submit', async (event) => {
    const challenge = form.querySelector('input[name="pow_challenge"]');
    const solution = form.querySelector('input[name="pow_solution"]');
    if (!challenge || !solution || solution.value || !window.crypto || !crypto.subtle) return;
    event.preventDefault();
    const status = form.querySelector('[data-pow-status]');
    if (status) status.hidden = false;
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    solution.value = String(await solve(challenge.value, Number(challenge.dataset.powBits)));
    form.submit();
  });
}
