// RFC 5424 §6.2.1 facility codes, by the names rsyslog and syslog-ng use (`forward[].facility`).
export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10,
  ftp: 11, ntp: 12, security: 13, console: 14, 'solaris-cron': 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const

export type FacilityName = keyof typeof FACILITIES

export const FACILITY_NAMES = Object.keys(FACILITIES) as [FacilityName, ...FacilityName[]]
