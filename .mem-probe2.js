const mb=x=>(x/1048576).toFixed(1);
const rss=()=>{global.gc();return mb(process.memoryUsage().rss)};
console.log('bare', rss());
new Intl.DateTimeFormat('en-US',{timeZone:'America/Los_Angeles',timeZoneName:'short'}).format(new Date());
console.log('one Intl DTF', rss());
for (const z of ['America/New_York','UTC','Europe/Berlin']) new Intl.DateTimeFormat('en-US',{timeZone:z,timeZoneName:'short', weekday:'short', month:'short'}).formatToParts(new Date());
console.log('more Intl', rss());
const {DateTime}=require('luxon'); DateTime.fromJSDate(new Date(),{zone:'America/Los_Angeles'}).setLocale('en-US').toFormat('ccc d LLL yyyy, HH:mm');
console.log('luxon', rss());
