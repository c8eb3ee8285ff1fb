// What `npx sync-chaos run` runs in this app (flags given on the command line override each setting).
import { defineConfig } from 'sync-chaos';

export default defineConfig({
  scenarios: ['sync-chaos/*.yaml'],
  suite: 'standard',
  client: './sync-chaos/adapter.ts',
  seeds: 1,
  reporters: ['console', 'junit', 'markdown', 'html', 'json'],
});
