/** Country calling codes for the login screen; the server validates the full number. */
export const COUNTRIES: {
  iso: string;
  name: string;
  dial: string;
  trunk0?: boolean;
}[] = [
  { iso: 'ES', name: 'España', dial: '34' },
  { iso: 'PT', name: 'Portugal', dial: '351' },
  { iso: 'FR', name: 'France', dial: '33', trunk0: true },
  { iso: 'IT', name: 'Italia', dial: '39' },
  { iso: 'DE', name: 'Deutschland', dial: '49', trunk0: true },
  { iso: 'GB', name: 'United Kingdom', dial: '44', trunk0: true },
  { iso: 'IE', name: 'Ireland', dial: '353', trunk0: true },
  { iso: 'NL', name: 'Nederland', dial: '31', trunk0: true },
  { iso: 'BE', name: 'Belgique', dial: '32', trunk0: true },
  { iso: 'CH', name: 'Schweiz', dial: '41', trunk0: true },
  { iso: 'AD', name: 'Andorra', dial: '376' },
  { iso: 'US', name: 'United States', dial: '1' },
  { iso: 'CA', name: 'Canada', dial: '1' },
  { iso: 'MX', name: 'México', dial: '52' },
  { iso: 'AR', name: 'Argentina', dial: '54' },
  { iso: 'CO', name: 'Colombia', dial: '57' },
  { iso: 'CL', name: 'Chile', dial: '56' },
  { iso: 'PE', name: 'Perú', dial: '51' },
  { iso: 'BR', name: 'Brasil', dial: '55' },
];

/** The country of a known number (an admin's own, for her members), else the browser's region. */
export function defaultCountry(knownPhone?: string): string {
  if (knownPhone) {
    const c = COUNTRIES.filter((x) => knownPhone.startsWith(`+${x.dial}`)).sort(
      (a, b) => b.dial.length - a.dial.length,
    )[0];
    if (c) return c.iso;
  }
  const region = navigator.language.split('-')[1]?.toUpperCase();
  return COUNTRIES.some((c) => c.iso === region) ? region! : 'ES';
}

/**
 * E.164 from a country and what she typed: "+..." is taken as already international; otherwise
 * separators go, a national trunk "0" goes where the country uses one, and the code is prefixed.
 */
export function toE164(iso: string, typed: string): string {
  const trimmed = typed.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (trimmed.startsWith('00')) return `+${digits.slice(2)}`;
  const c = COUNTRIES.find((x) => x.iso === iso) ?? COUNTRIES[0]!;
  const national = c.trunk0 ? digits.replace(/^0/, '') : digits;
  return `+${c.dial}${national}`;
}
