/**
 * Harm identifiers (filters.md §1.10): the MSC4456 taxonomy plus the two policyserv-specific IDs. Filters emit these
 * constants instead of string literals so a typo is a compile error, not a silently unknown harm.
 */
const MSC4456 = "org.matrix.msc4456";
const POLICYSERV = "org.matrix.policyserv";

export const HARM_SPAM = `${MSC4456}.spam`;
export const HARM_SPAM_FRAUD = `${MSC4456}.spam.fraud`;
export const HARM_SPAM_IMPERSONATION = `${MSC4456}.spam.impersonation`;
export const HARM_SPAM_ELECTION_INTERFERENCE = `${MSC4456}.spam.election_interference`;
export const HARM_SPAM_FLOODING = `${MSC4456}.spam.flooding`;

export const HARM_ADULT = `${MSC4456}.adult`;
export const HARM_ADULT_SEXUAL_ABUSE = `${MSC4456}.adult.sexual_abuse`;
export const HARM_ADULT_NCII = `${MSC4456}.adult.ncii`;
export const HARM_ADULT_DEEPFAKE = `${MSC4456}.adult.deepfake`;
export const HARM_ADULT_ANIMAL_SEXUAL_ABUSE = `${MSC4456}.adult.animal_sexual_abuse`;
export const HARM_ADULT_SEXUAL_VIOLENCE = `${MSC4456}.adult.sexual_violence`;

export const HARM_HARASSMENT = `${MSC4456}.harassment`;
export const HARM_HARASSMENT_TROLLING = `${MSC4456}.harassment.trolling`;
export const HARM_HARASSMENT_TARGETED = `${MSC4456}.harassment.targeted`;
export const HARM_HARASSMENT_HATE = `${MSC4456}.harassment.hate`;
export const HARM_HARASSMENT_DOXXING = `${MSC4456}.harassment.doxxing`;

export const HARM_VIOLENCE = `${MSC4456}.violence`;
export const HARM_VIOLENCE_ANIMAL_WELFARE = `${MSC4456}.violence.animal_welfare`;
export const HARM_VIOLENCE_THREATS = `${MSC4456}.violence.threats`;
export const HARM_VIOLENCE_GRAPHIC = `${MSC4456}.violence.graphic`;
export const HARM_VIOLENCE_GLORIFICATION = `${MSC4456}.violence.glorification`;
export const HARM_VIOLENCE_EXTREMIST = `${MSC4456}.violence.extremist`;
export const HARM_VIOLENCE_HUMAN_TRAFFICKING = `${MSC4456}.violence.human_trafficking`;
export const HARM_VIOLENCE_DOMESTIC = `${MSC4456}.violence.domestic`;

export const HARM_CHILD_SAFETY = `${MSC4456}.child_safety`;
export const HARM_CHILD_SAFETY_CSAM = `${MSC4456}.child_safety.csam`;
export const HARM_CHILD_SAFETY_GROOMING = `${MSC4456}.child_safety.grooming`;
export const HARM_CHILD_SAFETY_PRIVACY_VIOLATION = `${MSC4456}.child_safety.privacy_violation`;
export const HARM_CHILD_SAFETY_HARASSMENT = `${MSC4456}.child_safety.harassment`;

export const HARM_DANGER = `${MSC4456}.danger`;
export const HARM_DANGER_SELF_HARM = `${MSC4456}.danger.self_harm`;
export const HARM_DANGER_EATING_DISORDER = `${MSC4456}.danger.eating_disorder`;
export const HARM_DANGER_CHALLENGES = `${MSC4456}.danger.challenges`;
export const HARM_DANGER_SUBSTANCE_ABUSE = `${MSC4456}.danger.substance_abuse`;

export const HARM_TOS = `${MSC4456}.tos`;
export const HARM_TOS_HACKING = `${MSC4456}.tos.hacking`;
export const HARM_TOS_PROHIBITED = `${MSC4456}.tos.prohibited`;
export const HARM_TOS_BAN_EVASION = `${MSC4456}.tos.ban_evasion`;

/** Same value as `HARM_OTHER` in content-info.ts, which normalisation uses for Prohibited-without-harms. */
export const HARM_OTHER = `${MSC4456}.other`;

export const HARM_POLICYSERV_MEDIA = `${POLICYSERV}.media`;
export const HARM_POLICYSERV_SPEC_NON_COMPLIANCE = `${POLICYSERV}.spec_non_compliance`;

/** Every identifier above, for validation and documentation (template output is NOT restricted to these). */
export const KNOWN_HARMS: readonly string[] = Object.freeze([
  HARM_SPAM, HARM_SPAM_FRAUD, HARM_SPAM_IMPERSONATION, HARM_SPAM_ELECTION_INTERFERENCE, HARM_SPAM_FLOODING,
  HARM_ADULT, HARM_ADULT_SEXUAL_ABUSE, HARM_ADULT_NCII, HARM_ADULT_DEEPFAKE, HARM_ADULT_ANIMAL_SEXUAL_ABUSE,
  HARM_ADULT_SEXUAL_VIOLENCE,
  HARM_HARASSMENT, HARM_HARASSMENT_TROLLING, HARM_HARASSMENT_TARGETED, HARM_HARASSMENT_HATE, HARM_HARASSMENT_DOXXING,
  HARM_VIOLENCE, HARM_VIOLENCE_ANIMAL_WELFARE, HARM_VIOLENCE_THREATS, HARM_VIOLENCE_GRAPHIC,
  HARM_VIOLENCE_GLORIFICATION, HARM_VIOLENCE_EXTREMIST, HARM_VIOLENCE_HUMAN_TRAFFICKING, HARM_VIOLENCE_DOMESTIC,
  HARM_CHILD_SAFETY, HARM_CHILD_SAFETY_CSAM, HARM_CHILD_SAFETY_GROOMING, HARM_CHILD_SAFETY_PRIVACY_VIOLATION,
  HARM_CHILD_SAFETY_HARASSMENT,
  HARM_DANGER, HARM_DANGER_SELF_HARM, HARM_DANGER_EATING_DISORDER, HARM_DANGER_CHALLENGES, HARM_DANGER_SUBSTANCE_ABUSE,
  HARM_TOS, HARM_TOS_HACKING, HARM_TOS_PROHIBITED, HARM_TOS_BAN_EVASION,
  HARM_OTHER,
  HARM_POLICYSERV_MEDIA, HARM_POLICYSERV_SPEC_NON_COMPLIANCE,
]);
