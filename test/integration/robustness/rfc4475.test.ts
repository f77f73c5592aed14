// RFC 4475 torture messages at the LAN side, from the PBX stand-in's address.
import { tortureSuite } from './torture-suite.js';

tortureSuite('lan');
