/**
 * Marketing names for the phone and tablet model codes seen most often in User-Agents and Sec-CH-UA-Model
 * ("SM-S918B" → "Galaxy S23 Ultra"). Keys are code prefixes without the regional suffix letter(s): SM-S918B,
 * SM-S918U and SM-S918N are the same phone. Unknown codes are shown as they are.
 */
const samsung: Record<string, string> = {
  'SM-S928': 'Galaxy S24 Ultra',
  'SM-S926': 'Galaxy S24+',
  'SM-S921': 'Galaxy S24',
  'SM-S918': 'Galaxy S23 Ultra',
  'SM-S916': 'Galaxy S23+',
  'SM-S911': 'Galaxy S23',
  'SM-S711': 'Galaxy S23 FE',
  'SM-S908': 'Galaxy S22 Ultra',
  'SM-S906': 'Galaxy S22+',
  'SM-S901': 'Galaxy S22',
  'SM-G998': 'Galaxy S21 Ultra',
  'SM-G996': 'Galaxy S21+',
  'SM-G991': 'Galaxy S21',
  'SM-G990': 'Galaxy S21 FE',
  'SM-G988': 'Galaxy S20 Ultra',
  'SM-G981': 'Galaxy S20',
  'SM-G973': 'Galaxy S10',
  'SM-N986': 'Galaxy Note20 Ultra',
  'SM-F956': 'Galaxy Z Fold6',
  'SM-F946': 'Galaxy Z Fold5',
  'SM-F936': 'Galaxy Z Fold4',
  'SM-F741': 'Galaxy Z Flip6',
  'SM-F731': 'Galaxy Z Flip5',
  'SM-F721': 'Galaxy Z Flip4',
  'SM-A556': 'Galaxy A55',
  'SM-A546': 'Galaxy A54',
  'SM-A536': 'Galaxy A53',
  'SM-A356': 'Galaxy A35',
  'SM-A346': 'Galaxy A34',
  'SM-A256': 'Galaxy A25',
  'SM-A155': 'Galaxy A15',
  'SM-A156': 'Galaxy A15 5G',
  'SM-A145': 'Galaxy A14',
  'SM-A146': 'Galaxy A14 5G',
  'SM-A135': 'Galaxy A13',
  'SM-X910': 'Galaxy Tab S9 Ultra',
  'SM-X810': 'Galaxy Tab S9+',
  'SM-X710': 'Galaxy Tab S9',
  'SM-X510': 'Galaxy Tab S9 FE',
  'SM-X200': 'Galaxy Tab A8',
};

/** Other makers whose codes are common in logs (exact codes). */
const exact: Record<string, string> = {
  // Xiaomi / Redmi / POCO
  '23078RKD5C': 'Redmi K60 Ultra',
  '2201116SG': 'Redmi Note 11 Pro 5G',
  '23013RK75C': 'Redmi K60',
  '2211133G': 'Xiaomi 13',
  '23127PN0CG': 'Xiaomi 14',
  '23129RAA4G': 'Redmi Note 13 5G',
  '23108RN04Y': 'Redmi 13C',
  // OnePlus
  CPH2581: 'OnePlus 12',
  CPH2449: 'OnePlus 11',
  CPH2415: 'OnePlus 10T',
  // Huawei
  'ELS-NX9': 'Huawei P40 Pro',
  'NOH-NX9': 'Huawei Mate 40 Pro',
  // Motorola
  'moto g(60)': 'Moto G60',
};

/** "SM-S918B" → "Galaxy S23 Ultra"; anything unknown comes back unchanged. */
export function marketingName(model: string): string {
  const code = model.trim();
  if (exact[code]) return exact[code];
  const samsungCode = /^(SM-[A-Z]\d{3})[A-Z0-9]{0,3}$/i.exec(code);
  if (samsungCode) return samsung[samsungCode[1]!.toUpperCase()] ?? code;
  return code;
}
