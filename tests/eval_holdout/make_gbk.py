"""Writes the three GBK-encoded held-out pages (docs/111-113-gbk-*.html).

The page sources are kept here as text; each is written encoded with GBK (the pages declare
charset=gb2312, which readers decode as GB18030). Run: python3 tests/eval_holdout/make_gbk.py
"""
from pathlib import Path

DOCS_DIR = Path(__file__).resolve().parent / "docs"

PAGES = {}

PAGES["111-gbk-ks-lianhehui-lishihui-rowspan.html"] = """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>昆山市网络社会组织联合会第一届理事会组成单位公示--昆山市人民政府</title>
<style type="text/css">.articleCon td{border:1px solid #ccc;padding:4px}</style>
</head>
<body>
<div class="topArea"><img src="/images/ks_banner.jpg" alt="昆山市人民政府" width="1000" height="120"></div>
<div class="menuArea"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | <a href="/ksyw/">昆山要闻</a> | <a href="/bmdt/">部门动态</a> | <a href="/zmhd/">政民互动</a></div>
<table width="1000" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="740" valign="top">
  <div class="mainCont">
    <div class="curPos">当前位置：首页 &gt;&gt; 部门动态</div>
    <div class="articleTitle"><h1>昆山市网络社会组织联合会第一届理事会组成单位公示</h1></div>
    <div class="articleInfo">日期：2022-08-26　　来源：昆山市委网信办　　访问量：<span id="cnt">731</span></div>
    <div class="articleCon">
      <p>8月25日，昆山市网络社会组织联合会召开成立大会暨第一次会员大会，选举产生第一届理事会。现将理事会组成单位公示如下：</p>
      <table cellspacing="0" cellpadding="0" width="90%" align="center">
        <tr><td width="30%"><b>职务</b></td><td><b>单位名称</b></td></tr>
        <tr><td>会长单位</td><td>昆山市互联网协会</td></tr>
        <tr><td rowspan="3">副会长单位</td><td>昆山市电子商务协会</td></tr>
        <tr><td>昆山市网络作家协会</td></tr>
        <tr><td>昆山市青年网络文明促进会</td></tr>
        <tr><td>秘书长单位</td><td>昆山市数字经济促进会</td></tr>
        <tr><td rowspan="2">理事单位</td><td>昆山市网络直播行业协会</td></tr>
        <tr><td>昆山鹿城云信息技术有限公司</td></tr>
        <tr><td>监事单位</td><td>昆山市软件行业协会</td></tr>
      </table>
      <p>截至目前，全市共有登记在册的网络社会组织12家。</p>
      <p>公示期为2022年8月26日至9月1日。如有异议，请向昆山市民政局社会组织管理科反映。</p>
    </div>
    <div class="printBar">【<a href="javascript:window.print()">打印</a>】【<a href="javascript:window.close()">关闭</a>】</div>
  </div>
</td>
<td width="260" valign="top">
  <div class="rightList">
    <div class="rTitle">相关新闻</div>
    <ul>
      <li><a href="/bmdt/20220820/a1.html">太仓市网络文化协会召开理事会</a></li>
      <li><a href="/bmdt/20220815/b7.html">常熟市互联网协会开展网络安全宣传</a></li>
    </ul>
  </div>
</td>
</tr>
</table>
<div class="bottomArea">
  <p>主办：昆山市人民政府办公室　苏ICP备05000010号</p>
  <p>网站标识码：3205830001</p>
</div>
</body>
</html>
"""

PAGES["112-gbk-ly-luolong-xiehui-chengli.html"] = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>洛龙区网络文化协会正式成立 - 工作动态 - 洛阳市洛龙区人民政府</title>
</head>
<body>
<div class="header"><div class="hlogo">洛阳市洛龙区人民政府</div><div class="hdate"><script>document.write(new Date().getFullYear());</script></div></div>
<div class="navbar"><ul><li><a href="/">网站首页</a></li><li><a href="/llyw/">洛龙要闻</a></li><li><a href="/gzdt/">工作动态</a></li><li><a href="/xxgk/">信息公开</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>
<div class="news_wrap">
  <div class="news_cont">
    <div class="news_path">首页 &gt; 工作动态</div>
    <h2 class="news_tit">洛龙区网络文化协会正式成立</h2>
    <div class="news_info">发布时间：2021-11-19 15:00　　信息来源：区委网信办</div>
    <div class="news_text">
      <p>11月18日，洛阳市洛龙区网络文化协会成立大会暨第一届会员大会召开。区委网信办、区民政局、区委宣传部负责同志到会指导。</p>
      <p>该协会已于2021年11月10日经洛阳市洛龙区民政局审核准予成立登记（统一社会信用代码：51410311MJ1H3B724N），首批会员单位26家，是全区首家网络领域社会团体。</p>
      <p>会议表决通过了协会章程，以无记名投票方式选出第一届理事会。洛阳市洛龙区电子商务协会当选副会长单位，洛阳市洛龙区青年创业促进会为理事单位。洛阳市网络文化协会、洛阳市偃师区网络文化协会派代表到会祝贺。</p>
      <p>会议要求，洛龙区网络文化协会要坚持正确政治方向，团结全区网络文化工作者，多出网络文化精品，为建设现代化洛阳副中心城市营造良好网络环境。</p>
    </div>
    <div class="news_bottom">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
  </div>
  <div class="news_side">
    <div class="side_t">热门文章</div>
    <ul>
      <li><a href="/gzdt/2021/1115/9.html">郑州市金水区网络文化协会来洛龙交流</a></li>
      <li><a href="/gzdt/2021/1112/3.html">洛阳市西工区电子商务协会开展直播带货培训</a></li>
    </ul>
  </div>
</div>
<div class="footer">
  <p>洛阳市洛龙区人民政府办公室 主办　豫ICP备06000011号</p>
</div>
</body>
</html>
"""

PAGES["113-gbk-wh-yidi-shanghui-lianhehui.html"] = """<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<title>芜湖市异地商会联合会成立 温州商会当选首任会长单位_芜湖新闻_芜湖新闻网</title>
<meta name="keywords" content="异地商会,联合会,芜湖" />
</head>
<body>
<div class="top_link"><a href="/">芜湖新闻网</a> | <a href="/whxw/">芜湖新闻</a> | <a href="/ahxw/">安徽新闻</a> | <a href="/jingji/">经济</a> | <a href="/shehui/">社会</a></div>
<div class="main">
  <div class="main_l">
    <div class="art_pos">您的位置：首页 &raquo; 芜湖新闻</div>
    <div class="art_title"><h1>芜湖市异地商会联合会成立 温州商会当选首任会长单位</h1></div>
    <div class="art_source">2023-07-07 16:45　芜湖日报　记者 陶然</div>
    <div class="art_content">
      <p>7月6日，芜湖市异地商会联合会成立大会在芜湖召开。市委统战部、芜湖市工商联、芜湖市民政局相关负责人到会祝贺并讲话。</p>
      <p>据介绍，全市现有异地商会23家。为加强异地商会之间的交流合作，在市工商联指导下，芜湖市温州商会、芜湖市福建商会等8家异地商会共同发起成立芜湖市异地商会联合会。</p>
      <p>经过差额选举，大会选出第一届理事会和监事会：芜湖市温州商会当选会长单位，芜湖市福建商会、芜湖市江西商会、芜湖市湖北商会当选副会长单位，芜湖市四川商会为监事长单位，芜湖市台州商会为秘书长单位。</p>
      <p>会议强调，联合会要当好异地商会“娘家人”，引导在芜客商积极投资兴业，为芜湖打造省域副中心城市贡献力量。</p>
    </div>
    <div class="art_edit">（编辑：汪琳）</div>
  </div>
  <div class="main_r">
    <div class="r_box">
      <h3>相关新闻</h3>
      <ul>
        <li><a href="/whxw/2023/0705/12.html">马鞍山市温州商会举行换届大会</a></li>
        <li><a href="/whxw/2023/0703/05.html">合肥市浙江商会来芜考察</a></li>
      </ul>
    </div>
  </div>
</div>
<div class="foot">
  <p>芜湖新闻网 版权所有　皖ICP备07000012号</p>
</div>
</body>
</html>
"""


def main() -> None:
    DOCS_DIR.mkdir(parents=True, exist_ok=True)
    for name, html in PAGES.items():
        (DOCS_DIR / name).write_bytes(html.encode("gbk"))


if __name__ == "__main__":
    main()
