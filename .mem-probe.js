const mb=x=>(x/1048576).toFixed(1);
const show=(l)=>{global.gc();const u=process.memoryUsage();console.log(l.padEnd(28),'rss',mb(u.rss),'heapTot',mb(u.heapTotal),'heapUsed',mb(u.heapUsed),'ext',mb(u.external));};
(async()=>{
show('bare node');
const {startBot}=require('./.bench-dist/src/main.js');
show('modules');
const {Client}=require('pg'); const c=new Client({connectionString:'postgresql://root@127.0.0.1:5432/test'}); await c.connect(); await c.query('create schema if not exists memprobe'); await c.end();
const bot=await startBot({env:{SLACK_BOT_TOKEN:'xoxb-1',SLACK_SIGNING_SECRET:'0123456789abcdef0123456789abcdef',GITHUB_TOKEN:'g',SLACK_API_URL:'http://127.0.0.1:9/api/',GITHUB_API_URL:'http://127.0.0.1:9',DATABASE_URL:'postgresql://root@127.0.0.1:5432/test?schema=memprobe',PORT:'0',LOG_LEVEL:'error'},tuning:{runScheduler:false}});
show('started');
await bot.database.prisma?.$queryRawUnsafe?.('select 1').catch(()=>{});
show('after prisma query');
await bot.stop();
const c2=new Client({connectionString:'postgresql://root@127.0.0.1:5432/test'}); await c2.connect(); await c2.query('drop schema memprobe cascade'); await c2.end();
})();
