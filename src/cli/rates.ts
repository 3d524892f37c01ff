import { API_CLASSES } from '../aws/api-classes.js';

/** `runtimeMutation=10,runtimeGet=50` as rates, or what is wrong with it. */
export function parseRates(text: string | undefined): Record<string, number> | string {
  const rates: Record<string, number> = {};
  for (const item of (text ?? '').split(',').map((i) => i.trim()).filter(Boolean)) {
    const [apiClass, value] = item.split('=');
    if (!apiClass || !API_CLASSES.includes(apiClass)) return `unknown API class "${apiClass ?? ''}"; one of ${API_CLASSES.join(', ')}`;
    const perSecond = Number(value);
    if (!value || !Number.isFinite(perSecond) || perSecond <= 0) return `${apiClass}: "${value ?? ''}" is not a positive number of requests a second`;
    rates[apiClass] = perSecond;
  }
  return rates;
}
