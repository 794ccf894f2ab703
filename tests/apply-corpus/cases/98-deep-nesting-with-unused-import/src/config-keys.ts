export const SECTION = 'section';
export const LEGACY_SECTION = 'legacy';
