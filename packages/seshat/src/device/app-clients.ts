import type { DeviceInfo } from '../core/session.ts';
import { marketingName } from './model-names.ts';

/**
 * Native apps announce themselves with their own product token and the HTTP library underneath:
 *   MyCompanyApp/3.2.1 (Linux; U; Android 14; SM-S918B Build/UP1A.231005.007) okhttp/4.12.0
 *   Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP2A.240805.005)   (Android's own HttpURLConnection)
 *   MyApp/5.1 CFNetwork/1494.0.7 Darwin/23.4.0                           (iOS and macOS URLSession)
 *   MyApp/5.1 (iPhone; iOS 17.4; Scale/3.00)                              (Alamofire and friends)
 * Without these rules a UA parser sees no browser and no OS it knows: "Unknown" on a desktop icon, or a bot.
 */
const LIBRARY = /\b(okhttp|Dalvik|CFNetwork|Alamofire|ktor-client|Cronet)\b/i;

export function parseAppClient(ua: string): DeviceInfo | null {
  const dalvik = /^Dalvik\/[\d.]+ \(Linux; U; Android ([\d.]+); ([^;)]*?)(?: Build\/[^)]*)?\)/.exec(ua);
  if (dalvik) return app(null, null, 'Android', dalvik[1]!, dalvik[2]!);

  const product = /^([A-Za-z][\w .+-]{0,40}?)\/([\w.-]{1,30})(?: \(([^)]*)\))?/.exec(ua);
  if (!product || product[1] === 'Mozilla') return null;
  const [, name, version, comment = ''] = product;
  const android = /Android ([\d.]+)(?:; ([^;)]*?)(?: Build\/[^;)]*)?)?(?:;|$)/.exec(comment);
  const ios = /\b(?:iOS|iPhone OS|iPadOS) ([\d._]+)/.exec(comment) ?? /\bCFNetwork\/[\d.]+ Darwin\/([\d.]+)/.exec(ua);
  const isApp = LIBRARY.test(ua) || android !== null || /\b(?:iPhone|iPad|iOS)\b/.test(comment);
  if (!isApp) return null;
  if (android) return app(name!, version!, 'Android', android[1]!, android[2] ?? null);
  if (ios) {
    const ipad = /\biPad\b/.test(comment);
    // Darwin/23.x is iOS 17 (and macOS 14): its version is not the iOS version, so it is not reported.
    const osVersion = /Darwin/.test(ios[0]) ? null : ios[1]!.replace(/_/g, '.');
    return app(name!, version!, ipad ? 'iPadOS' : 'iOS', osVersion, ipad ? 'iPad' : null);
  }
  return app(name!, version!, null, null, null);
}

function app(name: string | null, version: string | null, os: string | null, osVersion: string | null, model: string | null): DeviceInfo {
  const where = os === 'iOS' ? 'iPhone' : os === 'iPadOS' ? 'iPad' : os;
  const deviceModel = model && model !== 'K' && model !== 'iPad' ? marketingName(model) : model === 'iPad' ? 'iPad' : null;
  const label = name ? (where ? `${name} on ${where}` : name) : where ? `App on ${where}` : 'App';
  return { browser: name, browserVersion: version, os, osVersion, deviceType: 'app', deviceModel, label };
}
