import { isbotMatch } from 'isbot';

/** A non-browser client recognised from its User-Agent: a crawler, a command-line tool or script, or an app. */
export interface KnownClient {
  name: string;
  version: string | null;
  /**
   * `bot` for crawlers; `cli` for command-line tools and scripts' HTTP libraries (curl, python-requests):
   * a person at a terminal or a job they wrote; `app` for apps and their HTTP libraries (okhttp, Postman).
   */
  deviceType: 'bot' | 'cli' | 'app';
}

interface Rule {
  /** First capture group, if any, is the version. */
  pattern: RegExp;
  name: string;
  deviceType: KnownClient['deviceType'];
}

/**
 * Friendly names for the clients people actually see in a session list. Checked before browser parsing,
 * because crawlers pretend to be Chrome ("… bingbot/2.0 … Chrome/116 Safari/537.36"). Anything else that
 * `isbot` recognises still becomes a bot, named by `genericBotName`.
 */
const rules: Rule[] = [
  { pattern: /Googlebot(?:-[A-Za-z]+)?\/([\d.]+)/i, name: 'Googlebot', deviceType: 'bot' },
  { pattern: /bingbot\/([\d.]+)/i, name: 'Bingbot', deviceType: 'bot' },
  { pattern: /DuckDuckBot(?:-Https)?\/([\d.]+)/i, name: 'DuckDuckBot', deviceType: 'bot' },
  { pattern: /YandexBot\/([\d.]+)/i, name: 'YandexBot', deviceType: 'bot' },
  { pattern: /Baiduspider(?:-render)?\/([\d.]+)/i, name: 'Baiduspider', deviceType: 'bot' },
  { pattern: /Applebot\/([\d.]+)/i, name: 'Applebot', deviceType: 'bot' },
  { pattern: /facebookexternalhit\/([\d.]+)/i, name: 'Facebook link preview', deviceType: 'bot' },
  { pattern: /Twitterbot\/([\d.]+)/i, name: 'Twitterbot', deviceType: 'bot' },
  { pattern: /LinkedInBot\/([\d.]+)/i, name: 'LinkedInBot', deviceType: 'bot' },
  { pattern: /Slackbot(?:-LinkExpanding)?(?: ([\d.]+))?/i, name: 'Slackbot', deviceType: 'bot' },
  { pattern: /GPTBot\/([\d.]+)/i, name: 'GPTBot', deviceType: 'bot' },
  { pattern: /ClaudeBot\/([\d.]+)/i, name: 'ClaudeBot', deviceType: 'bot' },
  { pattern: /HeadlessChrome\/([\d.]+)/, name: 'Headless Chrome', deviceType: 'bot' },
  { pattern: /^curl\/([\d.]+)/i, name: 'curl', deviceType: 'cli' },
  { pattern: /^Wget\/([\d.]+)/i, name: 'Wget', deviceType: 'cli' },
  { pattern: /^HTTPie\/([\d.]+)/i, name: 'HTTPie', deviceType: 'cli' },
  { pattern: /^python-requests\/([\d.]+)/i, name: 'Python Requests', deviceType: 'cli' },
  { pattern: /^python-httpx\/([\d.]+)/i, name: 'HTTPX', deviceType: 'cli' },
  { pattern: /^Go-http-client\/([\d.]+)/i, name: 'Go HTTP client', deviceType: 'cli' },
  { pattern: /^(?:node-fetch|undici)(?:\/([\d.]+))?/i, name: 'Node.js', deviceType: 'cli' },
  { pattern: /^node(?:\/v?([\d.]+))?$/i, name: 'Node.js', deviceType: 'cli' },
  { pattern: /^axios\/([\d.]+)/i, name: 'axios', deviceType: 'cli' },
  { pattern: /^PostmanRuntime\/([\d.]+)/i, name: 'Postman', deviceType: 'app' },
  { pattern: /^insomnia\/([\d.]+)/i, name: 'Insomnia', deviceType: 'app' },
  { pattern: /^okhttp\/([\d.]+)/i, name: 'okhttp', deviceType: 'app' },
];

export function matchKnownClient(userAgent: string): KnownClient | null {
  for (const rule of rules) {
    const m = rule.pattern.exec(userAgent);
    if (m) return { name: rule.name, version: m[1] ?? null, deviceType: rule.deviceType };
  }
  // isbot knows thousands of crawlers and tools; we only need to name them.
  return isbotMatch(userAgent) === null ? null : genericBot(userAgent);
}

/** "Mozilla/5.0 (compatible; AhrefsBot/7.0; …)" → AhrefsBot 7.0; "SomeTool/1.2 (…)" → SomeTool 1.2. */
function genericBot(userAgent: string): KnownClient {
  const named = /\b([A-Za-z][\w-]*?(?:bot|spider|crawler))\b(?:\/v?([\d.]+))?/i.exec(userAgent);
  if (named) return { name: named[1]!, version: named[2] ?? null, deviceType: 'bot' };
  const product = /^([A-Za-z][\w.-]{0,40})\/v?([\d.]+)?/.exec(userAgent);
  if (product && product[1] !== 'Mozilla') return { name: product[1]!, version: product[2] ?? null, deviceType: 'bot' };
  return { name: 'Bot', version: null, deviceType: 'bot' };
}
