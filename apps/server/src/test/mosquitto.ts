// Tests use the same local Mosquitto as `npm run cluster` (cluster/mosquitto.ts).
export {
  LocalMosquitto as TestMosquitto,
  mosquittoInstall,
} from '../cluster/mosquitto';
