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

// Staff voice: while an idea's title is typed, show the challenge's ideas like it, so
// people can support one instead of posting it again. The list comes from the same page
// that works without this script (`/voice/challenges/{id}/similar?title=`).
for (const form of document.querySelectorAll('form[data-similar]')) {
  const title = form.querySelector('input[name="title"]');
  const box = document.getElementById('similar-ideas');
  if (!title || !box) continue;
  let timer;
  let asked = '';
  title.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const typed = title.value.trim();
      if (typed === asked) return;
      asked = typed;
      if (typed.length < 4) {
        box.replaceChildren();
        return;
      }
      try {
        const response = await fetch(`${form.dataset.similar}?title=${encodeURIComponent(typed)}`, { credentials: 'same-origin' });
        if (!response.ok || asked !== typed) return;
        const page = new DOMParser().parseFromString(await response.text(), 'text/html');
        const found = page.getElementById('similar-ideas');
        if (found) box.replaceChildren(...found.childNodes);
      } catch {
        // Suggestions are a help, not a step: without them the form still works.
      }
    }, 300);
  });
}
