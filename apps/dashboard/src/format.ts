import { VITAL_SPECS, type Vital } from '@vigil/contracts';

export const clock = (ms: number): string =>
  new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

export const shortClock = (ms: number): string =>
  new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

const DIGITS: Partial<Record<Vital, number>> = { temp: 1 };

export function vitalText(vital: Vital, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(DIGITS[vital] ?? 0);
}

export const unitOf = (vital: Vital): string => VITAL_SPECS[vital].unit;
export const labelOf = (vital: Vital): string => VITAL_SPECS[vital].label;

/** `el('div', {class: 'x'}, 'text')`: one element, text by textContent (never innerHTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Sets text only when it changed (keeps DOM writes to what changed). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function setData(node: HTMLElement, key: string, value: string): void {
  if (node.dataset[key] !== value) node.dataset[key] = value;
}
