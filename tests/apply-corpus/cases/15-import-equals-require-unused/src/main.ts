import paths = require('./paths');
import legacyPaths = require('./legacy-paths');

export const configDir = paths.join('home', 'app', 'config');
