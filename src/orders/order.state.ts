/**
 * The order state machine is part of the contract (the web app offers only the actions it
 * allows), so it lives in src/protocol; the server's code keeps importing it from here.
 */
export {
  nextOrderStatus,
  OPEN_STATUSES,
  ORDER_TRANSITIONS,
  type OrderAction,
  type OrderStateFacts,
  type TransitionResult,
} from '../protocol/index.js';
