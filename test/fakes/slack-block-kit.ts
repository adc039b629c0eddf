// Block Kit limits as real Slack enforces them, for the fake Slack Web API
// (slack-server.ts). Strict by default: a payload Slack would refuse is refused
// here, with Slack's error code and its `response_metadata.messages` shape:
//
//   { ok: false, error: 'invalid_blocks',
//     response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] } }
//
// Where each limit comes from:
// - Slack's Block Kit reference (https://docs.slack.dev/reference/block-kit/): blocks per message (50) and per
//   modal / Home tab (100); section text 3,000, fields 10 × 2,000; header text 150; context 10 elements; actions
//   25 elements; button text 75, value 2,000, url 3,000; block_id and action_id 255; static_select options and
//   option_groups 100; option text 75 and value 150; the view object: title, submit and close 24,
//   private_metadata 3,000, callback_id 255.
// - Observed, not documented (slackapi/bolt-js issues 2509 and 2867): chat.postMessage answers
//   `msg_blocks_too_long` once the text inside a message's blocks passes about 12,000 characters in total
//   (the `text` of every mrkdwn and plain_text object in the blocks, summed). Issue 2867 reports that respond()
//   (a response_url) took the same blocks; the fake refuses them there too, on purpose: a bot whose messages
//   fit everywhere never depends on that difference.

/** The documented limits the fake enforces (see the header for their sources). */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  id: 255,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  viewTitle: 24,
  viewSubmit: 24,
  viewClose: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** Observed (bolt-js issues 2509, 2867): the text of a message's blocks, in total. */
  messageBlocksText: 12000,
} as const;

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Slack's wording: "must be less than 3001 characters" for a limit of 3,000. */
const tooLong = (max: number, pointer: string): string => `[ERROR] must be less than ${max + 1} characters [json-pointer:${pointer}]`;
const tooMany = (max: number, pointer: string): string => `[ERROR] no more than ${max} items allowed [json-pointer:${pointer}]`;

class Problems {
  readonly messages: string[] = [];
  text(value: unknown, max: number, pointer: string): void {
    const text = isRecord(value) ? value.text : value;
    if (typeof text === 'string' && text.length > max) this.messages.push(tooLong(max, isRecord(value) ? `${pointer}/text` : pointer));
  }
  items(value: unknown, max: number, pointer: string): void {
    if (Array.isArray(value) && value.length > max) this.messages.push(tooMany(max, pointer));
  }
}

function checkOptions(problems: Problems, options: unknown, pointer: string): void {
  if (!Array.isArray(options)) return;
  problems.items(options, BLOCK_KIT_LIMITS.selectOptions, pointer);
  options.forEach((option, i) => {
    if (!isRecord(option)) return;
    problems.text(option.text, BLOCK_KIT_LIMITS.optionText, `${pointer}/${i}/text`);
    problems.text(option.value, BLOCK_KIT_LIMITS.optionValue, `${pointer}/${i}/value`);
  });
}

function checkElement(problems: Problems, element: unknown, pointer: string): void {
  if (!isRecord(element)) return;
  problems.text(element.action_id, BLOCK_KIT_LIMITS.id, `${pointer}/action_id`);
  if (element.type === 'button') {
    problems.text(element.text, BLOCK_KIT_LIMITS.buttonText, `${pointer}/text`);
    problems.text(element.value, BLOCK_KIT_LIMITS.buttonValue, `${pointer}/value`);
    problems.text(element.url, BLOCK_KIT_LIMITS.buttonUrl, `${pointer}/url`);
  }
  if (typeof element.type === 'string' && /select$/.test(element.type)) {
    checkOptions(problems, element.options, `${pointer}/options`);
    if (Array.isArray(element.option_groups)) {
      problems.items(element.option_groups, BLOCK_KIT_LIMITS.selectOptions, `${pointer}/option_groups`);
      element.option_groups.forEach((group, i) => {
        if (isRecord(group)) checkOptions(problems, group.options, `${pointer}/option_groups/${i}/options`);
      });
    }
  }
  if (element.type === 'checkboxes' || element.type === 'radio_buttons' || element.type === 'overflow') {
    checkOptions(problems, element.options, `${pointer}/options`);
  }
}

function checkBlock(problems: Problems, block: unknown, pointer: string): void {
  if (!isRecord(block)) return;
  problems.text(block.block_id, BLOCK_KIT_LIMITS.id, `${pointer}/block_id`);
  switch (block.type) {
    case 'section':
      problems.text(block.text, BLOCK_KIT_LIMITS.sectionText, `${pointer}/text`);
      if (Array.isArray(block.fields)) {
        problems.items(block.fields, BLOCK_KIT_LIMITS.sectionFields, `${pointer}/fields`);
        block.fields.forEach((field, i) => {
          problems.text(field, BLOCK_KIT_LIMITS.sectionFieldText, `${pointer}/fields/${i}`);
        });
      }
      checkElement(problems, block.accessory, `${pointer}/accessory`);
      break;
    case 'header':
      problems.text(block.text, BLOCK_KIT_LIMITS.headerText, `${pointer}/text`);
      break;
    case 'context':
      problems.items(block.elements, BLOCK_KIT_LIMITS.contextElements, `${pointer}/elements`);
      break;
    case 'actions':
      problems.items(block.elements, BLOCK_KIT_LIMITS.actionsElements, `${pointer}/elements`);
      if (Array.isArray(block.elements)) {
        for (const [i, element] of block.elements.entries()) checkElement(problems, element, `${pointer}/elements/${i}`);
      }
      break;
    case 'input':
      checkElement(problems, block.element, `${pointer}/element`);
      break;
    default:
      break;
  }
}

function checkBlocks(problems: Problems, blocks: unknown[], max: number, pointer: string): void {
  problems.items(blocks, max, pointer);
  for (const [i, block] of blocks.entries()) checkBlock(problems, block, `${pointer}/${i}`);
}

/** The `text` of every mrkdwn and plain_text object inside `blocks`, in characters (what msg_blocks_too_long counts). */
export function blocksTextLength(blocks: unknown): number {
  if (Array.isArray(blocks)) return blocks.reduce<number>((sum, item) => sum + blocksTextLength(item), 0);
  if (!isRecord(blocks)) return 0;
  let sum = 0;
  if ((blocks.type === 'mrkdwn' || blocks.type === 'plain_text') && typeof blocks.text === 'string') sum += blocks.text.length;
  for (const [key, value] of Object.entries(blocks)) if (key !== 'text' || typeof value !== 'string') sum += blocksTextLength(value);
  return sum;
}

/** Slack's refusal: an error code and the messages that go into `response_metadata.messages`. */
export interface BlockKitRefusal {
  error: 'invalid_blocks' | 'invalid_arguments' | 'msg_blocks_too_long';
  messages: string[];
}

/** A message's blocks (chat.postMessage, chat.update, chat.postEphemeral, response_url): what Slack would refuse, if anything. */
export function checkMessageBlocks(blocks: unknown[] | undefined, options: { countText: boolean }): BlockKitRefusal | undefined {
  if (blocks === undefined) return undefined;
  const problems = new Problems();
  checkBlocks(problems, blocks, BLOCK_KIT_LIMITS.blocksPerMessage, '/blocks');
  if (problems.messages.length > 0) return { error: 'invalid_blocks', messages: problems.messages };
  if (options.countText && blocksTextLength(blocks) > BLOCK_KIT_LIMITS.messageBlocksText)
    return { error: 'msg_blocks_too_long', messages: [] };
  return undefined;
}

/**
 * A view (views.open/push/update/publish). Slack answers a schema breach in a view with `invalid_arguments`
 * (not `invalid_blocks`), its messages pointing into `/view`.
 */
export function checkView(view: unknown): BlockKitRefusal | undefined {
  if (!isRecord(view)) return undefined;
  const problems = new Problems();
  if (Array.isArray(view.blocks)) checkBlocks(problems, view.blocks, BLOCK_KIT_LIMITS.blocksPerView, '/view/blocks');
  problems.text(view.title, BLOCK_KIT_LIMITS.viewTitle, '/view/title');
  problems.text(view.submit, BLOCK_KIT_LIMITS.viewSubmit, '/view/submit');
  problems.text(view.close, BLOCK_KIT_LIMITS.viewClose, '/view/close');
  problems.text(view.private_metadata, BLOCK_KIT_LIMITS.privateMetadata, '/view/private_metadata');
  problems.text(view.callback_id, BLOCK_KIT_LIMITS.callbackId, '/view/callback_id');
  return problems.messages.length > 0 ? { error: 'invalid_arguments', messages: problems.messages } : undefined;
}
