export const brand = '#0a7cff';
export const danger = '#e5484d';
