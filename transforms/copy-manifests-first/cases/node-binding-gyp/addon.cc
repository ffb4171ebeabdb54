// the addon npm builds with node-gyp on install
