// RFC 4475 torture messages at the WAN side (the one facing the internet),
// from the trunk's address, with the PBX stand-in as the far side.
import { tortureSuite } from './torture-suite.js';

tortureSuite('wan');
